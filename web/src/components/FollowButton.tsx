import { useState } from 'react';
import { useMutation } from '@apollo/client/react';
import { Follow, Unfollow } from '../operations';
import { describeError, type Problem } from '../errors';
import { ProblemNote } from './ProblemNote';

/** Follow or unfollow; the API's answer updates every place that shows this person. */
export function FollowButton({ user }: { user: { id: string; handle: string; followedByViewer: boolean } }) {
  const [follow, following] = useMutation(Follow);
  const [unfollow, unfollowing] = useMutation(Unfollow);
  const [problem, setProblem] = useState<Problem | null>(null);
  const busy = following.loading || unfollowing.loading;
  const toggle = async () => {
    try {
      const variables = { userId: user.id };
      if (user.followedByViewer) await unfollow({ variables });
      else await follow({ variables });
      setProblem(null);
    } catch (error) {
      setProblem(describeError(error));
    }
  };
  return (
    <span className="follow">
      {/* A toggle: "Following @ada, pressed" says the state; pressing it again unfollows. */}
      <button type="button" className={user.followedByViewer ? 'secondary' : ''} onClick={toggle} disabled={busy} aria-pressed={user.followedByViewer}>
        {user.followedByViewer ? 'Following' : 'Follow'}
        <span className="visually-hidden"> @{user.handle}</span>
      </button>
      <ProblemNote problem={problem} />
    </span>
  );
}
