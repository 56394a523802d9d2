import { createHash } from 'node:crypto';
import { ConfigurationError, VIEWER_AUTHORIZATION_HEADER, viewerAuthorization } from '@chirp/platform';
import { subgraphRequestSigner } from '../src/subgraph-auth.js';

/**
 * On AWS the subgraphs' routes take IAM authorization: the gateway signs
 * each call with its role's credentials (Signature Version 4, service
 * execute-api, the API's region).
 */
const URL_ON_AWS = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/subgraphs/users/graphql';
const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' });
const request = (body: string) => ({ url: new URL(URL_ON_AWS), headers: { 'content-type': 'application/json', authorization: 'Bearer viewer' }, body });

it('signs for execute-api in the region of the API, with the role\'s session token', async () => {
  const sign = subgraphRequestSigner('aws-iam', URL_ON_AWS, credentials)!;
  const headers = await sign(request('{"query":"{ me { id } }"}'));
  expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
  expect(headers['x-amz-security-token']).toBe('session-token');
  expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update('{"query":"{ me { id } }"}').digest('hex'));
  expect(headers.host).toBe('a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com');
  // The signature takes `authorization`: the viewer's token rides beside it, where the subgraph reads it.
  expect(headers[VIEWER_AUTHORIZATION_HEADER]).toBe('Bearer viewer');
  expect(viewerAuthorization(headers)).toBe('Bearer viewer');
  expect(viewerAuthorization({ authorization: headers.authorization })).toBeUndefined();
});

it('signs the body: another body, another signature', async () => {
  const sign = subgraphRequestSigner('aws-iam', URL_ON_AWS, credentials)!;
  const signature = (headers: Record<string, string>) => headers.authorization?.split('Signature=')[1];
  expect(signature(await sign(request('{"query":"{ a }"}')))).not.toBe(signature(await sign(request('{"query":"{ b }"}'))));
});

it('signs nothing without SUBGRAPH_AUTH, and refuses an URL that is not API Gateway\'s', () => {
  expect(subgraphRequestSigner('none', 'http://users:4001/graphql')).toBeUndefined();
  expect(() => subgraphRequestSigner('aws-iam', 'http://users:4001/graphql', credentials)).toThrow(ConfigurationError);
});
