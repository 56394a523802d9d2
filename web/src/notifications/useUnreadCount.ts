import { useEffect, useRef } from 'react';
import { useApolloClient, useQuery, useSubscription } from '@apollo/client/react';
import { NotificationAdded, Notifications, UnreadCount } from '../operations';
import { useConnection } from '../connection';

/** How long to gather a burst of notifications before asking for the exact count. */
const SETTLE_MS = 400;

/**
 * The unread badge, live: a new notification counts at once, and the exact
 * figure follows from the API (a like taken back is uncounted there, and a
 * like given again brings back the same notification rather than a new
 * one). Also asked again when the live connection comes back or the page
 * is looked at again after a while.
 */
export function useUnreadCount(): number {
  const client = useApolloClient();
  const connection = useConnection();
  const { data, refetch } = useQuery(UnreadCount);
  const settle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const settleSoon = () => {
    clearTimeout(settle.current);
    settle.current = setTimeout(() => void refetch().catch(() => undefined), SETTLE_MS);
  };

  useSubscription(NotificationAdded, {
    onData: ({ data: event }) => {
      const notification = event.data?.notificationAdded;
      if (!notification) return;
      client.cache.updateQuery({ query: UnreadCount }, (current) => current && { unreadNotificationCount: current.unreadNotificationCount + 1 });
      client.cache.updateQuery({ query: Notifications, variables: { first: 20 } }, (list) => {
        if (!list || list.notifications.edges.some((edge) => edge.node.id === notification.id)) return list;
        const edge = { __typename: 'NotificationEdge' as const, cursor: notification.id, node: notification };
        return { ...list, notifications: { ...list.notifications, edges: [edge, ...list.notifications.edges] } };
      });
      settleSoon();
    },
  });

  useEffect(() => {
    const again = () => void refetch().catch(() => undefined);
    const onVisible = () => document.visibilityState === 'visible' && again();
    document.addEventListener('visibilitychange', onVisible);
    const stop = connection.onReconnect(again);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      stop();
      clearTimeout(settle.current);
    };
  }, [connection, refetch]);

  return data?.unreadNotificationCount ?? 0;
}
