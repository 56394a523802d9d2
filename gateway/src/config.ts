import { fileURLToPath } from 'node:url';
import { ConfigurationError, loadConfig, type ServiceConfig } from '@chirp/platform';
import { DEFAULT_LIVE_LIMITS, type LiveLimits } from './live/limits.js';
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from './operation-limits.js';

export const SUBGRAPH_NAMES = ['users', 'tweets', 'timeline', 'notifications'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export interface GatewayConfig extends ServiceConfig {
  supergraphPath: string;
  /** Where each subgraph answers; a subgraph left out keeps the routing URL composed into the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  liveLimits: LiveLimits;
  operationLimits: OperationLimits;
  /**
   * Whether the schema can be introspected (the explorer needs it). Off in
   * production unless GRAPHQL_INTROSPECTION=true; while it is off, error
   * messages leave out "Did you mean …?" suggestions too.
   */
  introspection: boolean;
  /** Proxies in front whose X-Forwarded-For entries are believed (TRUST_PROXY; 0: the socket's peer is the client). */
  trustProxyHops: number;
  /** How long a user's session generation is remembered (SESSION_CHECK_TTL_MS): how late a revoked token may still pass. */
  sessionCheckTtlMs: number;
  /**
   * How the gateway proves itself to the subgraphs (SUBGRAPH_AUTH): `none`
   * where only it can reach them (a private network), `aws-iam` on AWS,
   * where their routes on the HTTP API take IAM authorization and the
   * gateway signs each request with its role (SigV4, see subgraph-auth.ts).
   */
  subgraphAuth: SubgraphAuth;
  /**
   * The built web client (WEB_DIR; `web/dist` of the repository, where
   * `npm run build` puts it), served at `/` by the container gateway.
   * Empty turns it off (WEB_DIR=""), for a gateway that serves only the API.
   */
  webDir: string | null;
}

export type SubgraphAuth = 'none' | 'aws-iam';

/** The live edge's limits and the variable that sets each. */
const LIVE_LIMIT_VARIABLES: Record<keyof LiveLimits, string> = {
  connectionsPerUser: 'LIVE_MAX_CONNECTIONS_PER_USER',
  subscriptionsPerConnection: 'LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION',
  queuedEventsPerSubscription: 'LIVE_QUEUE_LENGTH',
  bufferedBytesPerConnection: 'LIVE_MAX_BUFFERED_BYTES',
  keepAliveMs: 'LIVE_KEEPALIVE_MS',
  sessionRecheckMs: 'LIVE_SESSION_RECHECK_MS',
};

/** The operation limits and the variable that sets each. */
const OPERATION_LIMIT_VARIABLES: Record<keyof OperationLimits, string> = {
  tokens: 'GRAPHQL_MAX_TOKENS',
  depth: 'GRAPHQL_MAX_DEPTH',
  aliases: 'GRAPHQL_MAX_ALIASES',
  directives: 'GRAPHQL_MAX_DIRECTIVES',
  cost: 'GRAPHQL_MAX_COST',
  expandedFields: 'GRAPHQL_MAX_EXPANDED_FIELDS',
};

/** What the gateway reads besides the variables every service reads. */
export const GATEWAY_ENVIRONMENT_VARIABLES: readonly string[] = [
  ...SUBGRAPH_NAMES.map((name) => `${name.toUpperCase()}_URL`),
  'SUPERGRAPH_PATH',
  'GRAPHQL_INTROSPECTION',
  'TRUST_PROXY',
  'SESSION_CHECK_TTL_MS',
  'SUBGRAPH_AUTH',
  'WEB_DIR',
  ...Object.values(LIVE_LIMIT_VARIABLES),
  ...Object.values(OPERATION_LIMIT_VARIABLES),
];

const DEFAULT_SUPERGRAPH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = source[`${name.toUpperCase()}_URL`]?.trim();
    if (url) subgraphUrls[name] = url;
  }
  // The gateway stores nothing; it needs Redis only to hear live events
  // published by subgraphs (in development an in-process bus stands in).
  const config = loadConfig('gateway', 4000, source, ['REDIS_URL']);
  return {
    ...config,
    supergraphPath: source.SUPERGRAPH_PATH?.trim() || DEFAULT_SUPERGRAPH,
    subgraphUrls,
    liveLimits: loadLimits(source, DEFAULT_LIVE_LIMITS, LIVE_LIMIT_VARIABLES),
    operationLimits: loadLimits(source, DEFAULT_OPERATION_LIMITS, OPERATION_LIMIT_VARIABLES),
    introspection: loadSwitch(source, 'GRAPHQL_INTROSPECTION', !config.isProduction),
    trustProxyHops: loadWholeNumber(source, 'TRUST_PROXY', 0, 0),
    sessionCheckTtlMs: loadWholeNumber(source, 'SESSION_CHECK_TTL_MS', 60_000, 1),
    subgraphAuth: loadChoice(source, 'SUBGRAPH_AUTH', ['none', 'aws-iam'] as const, 'none'),
    webDir: source.WEB_DIR === undefined ? DEFAULT_WEB_DIR : source.WEB_DIR.trim() || null,
  };
}

function loadWholeNumber(source: NodeJS.ProcessEnv, variable: string, fallback: number, least: number): number {
  const raw = source[variable]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < least) {
    throw new ConfigurationError(`Invalid configuration: ${variable} must be a whole number of at least ${least} (got "${raw}").`);
  }
  return value;
}

function loadChoice<Choice extends string>(source: NodeJS.ProcessEnv, variable: string, choices: readonly Choice[], fallback: Choice): Choice {
  const raw = source[variable]?.trim();
  if (!raw) return fallback;
  if ((choices as readonly string[]).includes(raw)) return raw as Choice;
  throw new ConfigurationError(`Invalid configuration: ${variable} must be one of ${choices.join(', ')} (got "${raw}").`);
}

function loadSwitch(source: NodeJS.ProcessEnv, variable: string, fallback: boolean): boolean {
  const raw = source[variable]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigurationError(`Invalid configuration: ${variable} must be true or false (got "${raw}").`);
}

/** A set of whole-number limits (each at least 1), each overridable by its variable. */
function loadLimits<Limits extends Record<keyof Limits, number>>(source: NodeJS.ProcessEnv, defaults: Limits, variables: Record<keyof Limits, string>): Limits {
  const limits = { ...defaults };
  for (const [limit, variable] of Object.entries(variables) as Array<[keyof Limits, string]>) {
    (limits as Record<keyof Limits, number>)[limit] = loadWholeNumber(source, variable, defaults[limit], 1);
  }
  return limits;
}
