import { fileURLToPath } from 'node:url';
import { ConfigurationError, loadConfig, type ServiceConfig } from '@chirp/platform';
import { DEFAULT_LIVE_LIMITS, type LiveLimits } from './live/limits.js';

export const SUBGRAPH_NAMES = ['users', 'tweets', 'timeline', 'notifications'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export interface GatewayConfig extends ServiceConfig {
  supergraphPath: string;
  /** Where each subgraph answers; a subgraph left out keeps the routing URL composed into the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  liveLimits: LiveLimits;
}

/** The live edge's limits and the variable that sets each. */
const LIVE_LIMIT_VARIABLES: Record<keyof LiveLimits, string> = {
  connectionsPerUser: 'LIVE_MAX_CONNECTIONS_PER_USER',
  subscriptionsPerConnection: 'LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION',
  queuedEventsPerSubscription: 'LIVE_QUEUE_LENGTH',
  bufferedBytesPerConnection: 'LIVE_MAX_BUFFERED_BYTES',
  keepAliveMs: 'LIVE_KEEPALIVE_MS',
};

/** What the gateway reads besides the variables every service reads. */
export const GATEWAY_ENVIRONMENT_VARIABLES: readonly string[] = [
  ...SUBGRAPH_NAMES.map((name) => `${name.toUpperCase()}_URL`),
  'SUPERGRAPH_PATH',
  ...Object.values(LIVE_LIMIT_VARIABLES),
];

const DEFAULT_SUPERGRAPH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = source[`${name.toUpperCase()}_URL`]?.trim();
    if (url) subgraphUrls[name] = url;
  }
  return {
    // The gateway stores nothing; it needs Redis only to hear live events
    // published by subgraphs (in development an in-process bus stands in).
    ...loadConfig('gateway', 4000, source, ['REDIS_URL']),
    supergraphPath: source.SUPERGRAPH_PATH?.trim() || DEFAULT_SUPERGRAPH,
    subgraphUrls,
    liveLimits: loadLiveLimits(source),
  };
}

function loadLiveLimits(source: NodeJS.ProcessEnv): LiveLimits {
  const limits = { ...DEFAULT_LIVE_LIMITS };
  for (const [limit, variable] of Object.entries(LIVE_LIMIT_VARIABLES) as Array<[keyof LiveLimits, string]>) {
    const raw = source[variable]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) {
      throw new ConfigurationError(`Invalid configuration: ${variable} must be a positive whole number (got "${raw}").`);
    }
    limits[limit] = value;
  }
  return limits;
}
