import { Link, useRoute } from 'wouter';
import { useQuery } from '@apollo/client/react';
import { Followers, Following, Profile as ProfileQuery, UserTweets } from '../operations';
import { describeError } from '../errors';
import { useSession } from '../session';
import { Avatar } from '../components/Avatar';
import { FollowButton } from '../components/FollowButton';
import { PagedList } from '../components/PagedList';
import { ProblemNote } from '../components/ProblemNote';
import { TweetCard } from '../components/TweetCard';
import { UserRow } from '../components/UserRow';
import { fullDate } from '../text';
import { NotFound } from './NotFound';

const PAGE_SIZE = 20;
type Tab = 'tweets' | 'followers' | 'following';

export function Profile({ handle, tab }: { handle: string; tab: Tab }) {
  const session = useSession();
  const { data, loading, error } = useQuery(ProfileQuery, { variables: { handle }, fetchPolicy: 'cache-and-network' });
  if (error && !data) return <main><ProblemNote problem={describeError(error)} /></main>;
  if (!data) return <main aria-busy={loading}><p className="quiet">Loading…</p></main>;
  const user = data.user;
  if (!user) return <NotFound what={`There is no one called @${handle} on Chirp.`} />;
  const mine = session?.userId === user.id;

  return (
    <main className="profile">
      <div className="banner" style={user.bannerUrl ? { backgroundImage: `url(${JSON.stringify(user.bannerUrl)})` } : undefined} role="img" aria-label={user.bannerUrl ? `${user.displayName}'s banner` : 'No banner'} />
      <div className="profile-head">
        <Avatar url={user.largeAvatarUrl} name={user.displayName} size={112} />
        {mine ? (
          <Link href="/settings/profile" className="button secondary">
            Edit profile
          </Link>
        ) : session ? (
          <FollowButton user={user} />
        ) : null}
      </div>
      <h1>
        {user.displayName} <span className="quiet handle">@{user.handle}</span>
      </h1>
      {user.bio ? <p className="bio">{user.bio}</p> : null}
      <p className="quiet facts">
        {user.location ? <span>{user.location} · </span> : null}
        {user.website ? (
          <>
            <a href={user.website} rel="noopener noreferrer nofollow ugc" target="_blank">
              {user.website.replace(/^https?:\/\//, '')}
            </a>{' '}
            ·{' '}
          </>
        ) : null}
        <span>Joined {fullDate(user.createdAt)}</span>
      </p>
      <nav className="tabs" aria-label="Profile">
        <TabLink href={`/u/${user.handle}`} current={tab === 'tweets'} testId="tweet-count">
          <strong>{user.tweetCount}</strong> {user.tweetCount === 1 ? 'Tweet' : 'Tweets'}
        </TabLink>
        <TabLink href={`/u/${user.handle}/followers`} current={tab === 'followers'} testId="followers-count">
          <strong>{user.followersCount}</strong> {user.followersCount === 1 ? 'Follower' : 'Followers'}
        </TabLink>
        <TabLink href={`/u/${user.handle}/following`} current={tab === 'following'} testId="following-count">
          <strong>{user.followingCount}</strong> Following
        </TabLink>
      </nav>
      {tab === 'tweets' ? <UserTweetList handle={user.handle} /> : <UserList handle={user.handle} which={tab} />}
    </main>
  );
}

function TabLink({ href, current, testId, children }: { href: string; current: boolean; testId: string; children: React.ReactNode }) {
  return (
    <Link href={href} aria-current={current ? 'page' : undefined} data-testid={testId}>
      {children}
    </Link>
  );
}

function UserTweetList({ handle }: { handle: string }) {
  const { data, loading, error, fetchMore } = useQuery(UserTweets, { variables: { handle, first: PAGE_SIZE }, notifyOnNetworkStatusChange: true, fetchPolicy: 'cache-and-network' });
  const page = data?.user?.tweets;
  const more = () => page?.pageInfo.hasNextPage && !loading && void fetchMore({ variables: { after: page.pageInfo.endCursor } }).catch(() => undefined);
  return (
    <>
      <PagedList label="Tweets" hasMore={page?.pageInfo.hasNextPage ?? false} loading={loading} onMore={more} empty={page?.edges.length === 0} emptyText="No tweets yet." endText="That's every tweet.">
        {page?.edges.map((edge) => <TweetCard key={edge.node.id} tweet={edge.node} />)}
      </PagedList>
      {error ? <ProblemNote problem={describeError(error)} /> : null}
    </>
  );
}

function UserList({ handle, which }: { handle: string; which: 'followers' | 'following' }) {
  const followers = useQuery(Followers, { variables: { handle, first: PAGE_SIZE }, skip: which !== 'followers', notifyOnNetworkStatusChange: true, fetchPolicy: 'cache-and-network' });
  const following = useQuery(Following, { variables: { handle, first: PAGE_SIZE }, skip: which !== 'following', notifyOnNetworkStatusChange: true, fetchPolicy: 'cache-and-network' });
  const query = which === 'followers' ? followers : following;
  const page = which === 'followers' ? followers.data?.user?.followers : following.data?.user?.following;
  const more = () => page?.pageInfo.hasNextPage && !query.loading && void query.fetchMore({ variables: { after: page.pageInfo.endCursor } }).catch(() => undefined);
  return (
    <>
      <PagedList
        label={which === 'followers' ? 'Followers' : 'Following'}
        hasMore={page?.pageInfo.hasNextPage ?? false}
        loading={query.loading}
        onMore={more}
        empty={page?.edges.length === 0}
        emptyText={which === 'followers' ? 'No followers yet.' : 'Not following anyone yet.'}
        endText="That's everyone."
      >
        {page?.edges.map((edge) => <UserRow key={edge.node.id} user={edge.node} />)}
      </PagedList>
      {query.error ? <ProblemNote problem={describeError(query.error)} /> : null}
    </>
  );
}

/** The profile routes: /u/:handle, /u/:handle/followers, /u/:handle/following. */
export function ProfileRoute() {
  const [, params] = useRoute<{ handle: string; tab?: string }>('/u/:handle/:tab?');
  if (!params) return null;
  const tab = params.tab === 'followers' || params.tab === 'following' ? params.tab : params.tab ? null : 'tweets';
  if (!tab || !/^[A-Za-z0-9_]{1,15}$/.test(params.handle)) return <NotFound />;
  return <Profile handle={params.handle} tab={tab} />;
}
