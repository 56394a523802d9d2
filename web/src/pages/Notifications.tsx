import { useState } from 'react';
import { Link } from 'wouter';
import { useMutation, useQuery } from '@apollo/client/react';
import { MarkNotificationsRead, Notifications as NotificationsQuery, UnreadCount } from '../operations';
import { describeError, type Problem } from '../errors';
import { Avatar } from '../components/Avatar';
import { PagedList } from '../components/PagedList';
import { ProblemNote } from '../components/ProblemNote';
import { fullDate, timeAgo } from '../text';
import type { NotificationFieldsFragment } from '../gql/graphql';

const PAGE_SIZE = 20;

export function Notifications() {
  const { data, loading, error, fetchMore } = useQuery(NotificationsQuery, { variables: { first: PAGE_SIZE }, fetchPolicy: 'cache-and-network', notifyOnNetworkStatusChange: true });
  const unread = useQuery(UnreadCount).data?.unreadNotificationCount ?? 0;
  const [problem, setProblem] = useState<Problem | null>(null);
  const [markRead, marking] = useMutation(MarkNotificationsRead, {
    update(cache) {
      cache.writeQuery({ query: UnreadCount, data: { unreadNotificationCount: 0 } });
      for (const edge of data?.notifications.edges ?? []) {
        cache.modify({ id: cache.identify(edge.node), fields: { read: () => true } });
      }
    },
  });
  const page = data?.notifications;
  const more = () => page?.pageInfo.hasNextPage && !loading && void fetchMore({ variables: { after: page.pageInfo.endCursor } }).catch(() => undefined);
  const markAll = async () => {
    try {
      await markRead();
      setProblem(null);
    } catch (caught) {
      setProblem(describeError(caught));
    }
  };

  return (
    <main>
      <div className="title-row">
        <h1>Notifications</h1>
        <button type="button" className="secondary" onClick={markAll} disabled={unread === 0 || marking.loading}>
          Mark all as read
        </button>
      </div>
      <ProblemNote problem={problem} />
      <PagedList
        label="Notifications"
        hasMore={page?.pageInfo.hasNextPage ?? false}
        loading={loading}
        onMore={more}
        empty={page?.edges.length === 0}
        emptyText="No notifications yet. When someone follows you or likes your tweets, you'll see it here."
        endText="That's all of them."
      >
        {page?.edges.map((edge) => <NotificationRow key={edge.node.id} notification={edge.node} />)}
      </PagedList>
      {error ? <ProblemNote problem={describeError(error)} /> : null}
    </main>
  );
}

function NotificationRow({ notification }: { notification: NotificationFieldsFragment }) {
  const { actor, tweet } = notification;
  return (
    <article className={`notification ${notification.read ? '' : 'unread'}`} data-testid="notification" data-read={notification.read}>
      <Avatar url={actor.avatarUrl} name={actor.displayName} size={40} />
      <p>
        {notification.read ? null : <span className="visually-hidden">Unread: </span>}
        <Link href={`/u/${actor.handle}`}>
          <strong>{actor.displayName}</strong>
        </Link>{' '}
        {notification.kind === 'FOLLOW' ? 'followed you' : 'liked your tweet'}
        {tweet ? (
          <>
            {' '}
            <q className="quiet">{tweet.text}</q>
          </>
        ) : null}
        <span className="quiet">
          {' · '}
          <time dateTime={notification.createdAt} title={fullDate(notification.createdAt)}>
            {timeAgo(notification.createdAt)}
          </time>
        </span>
      </p>
    </article>
  );
}
