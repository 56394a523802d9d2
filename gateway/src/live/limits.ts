export interface LiveLimits {
  /** Open sockets one user may have on one gateway. */
  connectionsPerUser: number;
  /** Subscriptions one socket may have open at once. */
  subscriptionsPerConnection: number;
  /** Events one subscription may have waiting to be resolved; past that the oldest is dropped. */
  queuedEventsPerSubscription: number;
  /** Bytes a socket may have written but not yet sent (a slow client); past that its events are dropped. */
  bufferedBytesPerConnection: number;
  /** How often each socket is pinged; one that has not answered by the next ping is closed. */
  keepAliveMs: number;
  /** How often an open socket's token is checked again, so one revoked (`logOutEverywhere`) or whose user is gone is closed. */
  sessionRecheckMs: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = {
  connectionsPerUser: 8,
  subscriptionsPerConnection: 16,
  queuedEventsPerSubscription: 64,
  bufferedBytesPerConnection: 1024 * 1024,
  keepAliveMs: 15_000,
  sessionRecheckMs: 60_000,
};
