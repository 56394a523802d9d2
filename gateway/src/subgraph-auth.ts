import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { ConfigurationError, VIEWER_AUTHORIZATION_HEADER } from '@chirp/platform';
import type { SubgraphAuth } from './config.js';

/** A request to a subgraph, as it will be sent. */
export interface SubgraphRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** Adds the headers that prove the request comes from the gateway; resolves to the headers to send. */
export type SubgraphRequestSigner = (request: SubgraphRequest) => Promise<Record<string, string>>;

/** `<api id>.execute-api.<region>.amazonaws.com`: the region an API Gateway URL is served from. */
const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * How the gateway signs its calls to one subgraph. With `aws-iam` the
 * subgraphs' routes on the HTTP API take IAM authorization, so only a
 * principal allowed `execute-api:Invoke` on them (the gateway's role) gets
 * through: the subgraphs' internal fields (`_entities`, `_session`) stay
 * out of the public's reach without a private network. Each request is
 * signed with Signature Version 4 and the role's credentials, which the
 * provider finds and renews itself (the function's or task's role). The
 * signature takes `authorization`, so the caller's bearer token moves to
 * VIEWER_AUTHORIZATION_HEADER, where the subgraph's handler reads it.
 */
export function subgraphRequestSigner(
  auth: SubgraphAuth,
  url: string,
  credentials: ReturnType<typeof defaultProvider> = defaultProvider(),
): SubgraphRequestSigner | undefined {
  if (auth === 'none') return undefined;
  const region = EXECUTE_API_HOST.exec(new URL(url).hostname)?.[1];
  if (!region) {
    throw new ConfigurationError(`SUBGRAPH_AUTH=aws-iam signs requests for API Gateway: ${url} is not an execute-api URL (https://<api>.execute-api.<region>.amazonaws.com/...).`);
  }
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Hash.bind(null, 'sha256') });
  return async ({ url: target, headers: { authorization, ...headers }, body }) => {
    if (authorization) headers[VIEWER_AUTHORIZATION_HEADER] = authorization;
    const signed = await signer.sign({
      method: 'POST',
      protocol: target.protocol,
      hostname: target.hostname,
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { ...headers, host: target.host },
      body,
    });
    return signed.headers;
  };
}
