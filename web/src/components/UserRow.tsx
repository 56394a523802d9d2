import { Link } from 'wouter';
import type { UserSummaryFragment } from '../gql/graphql';
import { useSession } from '../session';
import { Avatar } from './Avatar';
import { FollowButton } from './FollowButton';

export function UserRow({ user }: { user: UserSummaryFragment }) {
  const session = useSession();
  return (
    <article className="user-row" data-testid="user-row">
      <Avatar url={user.avatarUrl} name={user.displayName} />
      <div>
        <Link href={`/u/${user.handle}`} className="author">
          <strong>{user.displayName}</strong> <span className="quiet">@{user.handle}</span>
        </Link>
        {user.bio ? <p>{user.bio}</p> : null}
      </div>
      {session && session.userId !== user.id ? <FollowButton user={user} /> : null}
    </article>
  );
}
