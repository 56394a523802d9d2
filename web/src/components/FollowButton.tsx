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
      <button
        type="button"
        className={user.followedByViewer ? 'secondary' : ''}
        onClick={toggle}
        disabled={busy}
        aria-label={`${user.followedByViewer ? 'Unfollow' : 'Follow'} @${user.handle}`}
      >
        {user.followedByViewer ? 'Following' : 'Follow'}
      </button>
      <ProblemNote problem={problem} />
    </span>
  );
}
