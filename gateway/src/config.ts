import { fileURLToPath } from 'node:url';
import { loadConfig, type ServiceConfig } from '@chirp/platform';

export const SUBGRAPH_NAMES = ['users', 'tweets', 'timeline', 'notifications'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export interface GatewayConfig extends ServiceConfig {
  supergraphPath: string;
  /** Where each subgraph answers; a subgraph left out keeps the routing URL composed into the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
}

/** What the gateway reads besides the variables every service reads. */
export const GATEWAY_ENVIRONMENT_VARIABLES: readonly string[] = [
  ...SUBGRAPH_NAMES.map((name) => `${name.toUpperCase()}_URL`),
  'SUPERGRAPH_PATH',
];

const DEFAULT_SUPERGRAPH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = source[`${name.toUpperCase()}_URL`]?.trim();
    if (url) subgraphUrls[name] = url;
  }
  return {
    // The gateway talks only to subgraphs: no data store is required of it.
    ...loadConfig('gateway', 4000, source, []),
    supergraphPath: source.SUPERGRAPH_PATH?.trim() || DEFAULT_SUPERGRAPH,
    subgraphUrls,
  };
}
