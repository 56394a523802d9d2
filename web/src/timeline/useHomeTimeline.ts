import { useCallback, useEffect, useRef, useState } from 'react';
import { useApolloClient, useQuery, useSubscription } from '@apollo/client/react';
import { HomeTimeline, HomeTimelineTweetAdded } from '../operations';
import { useConnection } from '../connection';
import { useSession } from '../session';
import type { HomeTimelineQuery, TweetFieldsFragment } from '../gql/graphql';

export const PAGE_SIZE = 20;

/**
 * The live home timeline, all of its logic in one place.
 *
 * - Pages: the first page, then `after: endCursor` as the person scrolls,
 *   until the API says there is no more.
 * - Live: each tweet the subscription brings waits in `waiting` ("3 new
 *   tweets") rather than pushing the list down under the reader; `reveal`
 *   puts them on top. The viewer's own tweets go on top at once.
 * - Catch-up: when the live connection comes back after a loss, the first
 *   page is read again and what is new joins `waiting`. When the whole page
 *   is new there may be more behind it (a gap): revealing then starts the
 *   list afresh from the API instead.
 */
export function useHomeTimeline() {
  const client = useApolloClient();
  const session = useSession();
  const connection = useConnection();
  // Coming back to the page shows what the cache has and reads the first page again (a new followee's tweets).
  const query = useQuery(HomeTimeline, {
    variables: { first: PAGE_SIZE },
    fetchPolicy: 'cache-and-network',
    nextFetchPolicy: 'cache-first',
    notifyOnNetworkStatusChange: true,
  });
  const [waiting, setWaiting] = useState<TweetFieldsFragment[]>([]);
  const [gap, setGap] = useState(false);
  const shown = useRef(new Set<string>());
  const edges = query.data?.homeTimeline.edges ?? [];
  shown.current = new Set(edges.map((edge) => edge.node.id));

  const wait = useCallback((tweets: TweetFieldsFragment[]) => {
    setWaiting((current) => {
      const known = new Set([...current.map((tweet) => tweet.id), ...shown.current]);
      const fresh = tweets.filter((tweet) => !known.has(tweet.id));
      return fresh.length ? [...fresh, ...current].sort(newestFirst) : current;
    });
  }, []);

  const putOnTop = useCallback(
    (tweets: TweetFieldsFragment[]) => {
      client.cache.updateQuery({ query: HomeTimeline, variables: { first: PAGE_SIZE } }, (data) => (data ? withOnTop(data, tweets) : data));
    },
    [client],
  );

  useSubscription(HomeTimelineTweetAdded, {
    onData: ({ data }) => {
      const tweet = data.data?.homeTimelineTweetAdded;
      if (!tweet || shown.current.has(tweet.id)) return;
      if (tweet.author.id === session?.userId) putOnTop([tweet]);
      else wait([tweet]);
    },
  });

  // Catch-up after the live connection comes back.
  useEffect(
    () =>
      connection.onReconnect(async () => {
        try {
          const { data } = await client.query({ query: HomeTimeline, variables: { first: PAGE_SIZE }, fetchPolicy: 'no-cache' });
          if (!data) return;
          const latest = data.homeTimeline.edges.map((edge) => edge.node);
          const unseen = latest.filter((tweet) => !shown.current.has(tweet.id));
          if (unseen.length === latest.length && latest.length === PAGE_SIZE && shown.current.size > 0) setGap(true);
          wait(unseen);
        } catch {
          // Still down after all: the next reconnection tries again.
        }
      }),
    [client, connection, wait],
  );

  const reveal = useCallback(async () => {
    const tweets = waiting;
    setWaiting([]);
    if (gap) {
      setGap(false);
      await query.refetch();
    } else {
      putOnTop(tweets);
    }
  }, [gap, putOnTop, query, waiting]);

  const loading = query.loading;
  const pageInfo = query.data?.homeTimeline.pageInfo;
  const loadMore = useCallback(() => {
    if (loading || !pageInfo?.hasNextPage) return;
    void query.fetchMore({ variables: { after: pageInfo.endCursor } }).catch(() => undefined); // shown through query.error
  }, [loading, pageInfo, query]);

  return {
    tweets: edges.map((edge) => edge.node),
    loading,
    error: query.error,
    hasMore: pageInfo?.hasNextPage ?? false,
    loaded: query.data !== undefined,
    loadMore,
    // A first page read again may already hold some of them.
    waiting: waiting.filter((tweet) => !shown.current.has(tweet.id)).length,
    reveal,
    putOnTop,
    retry: () => query.refetch(),
  };
}

function newestFirst(a: TweetFieldsFragment, b: TweetFieldsFragment): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

function withOnTop(data: HomeTimelineQuery, tweets: TweetFieldsFragment[]): HomeTimelineQuery {
  const present = new Set(data.homeTimeline.edges.map((edge) => edge.node.id));
  const added = tweets
    .filter((tweet) => !present.has(tweet.id))
    .sort(newestFirst)
    .map((node) => ({ __typename: 'TimelineEdge' as const, cursor: node.id, node }));
  return { ...data, homeTimeline: { ...data.homeTimeline, edges: [...added, ...data.homeTimeline.edges] } };
}
