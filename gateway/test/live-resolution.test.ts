import type { ExecutionResult } from 'graphql';
import { LiveStreams } from '@chirp/platform';
import { LiveResolver, subscriptionPlan, type Caller, type RunOperation } from '../src/live/resolution.js';

const caller: Caller = { authorization: 'Bearer token', viewer: { id: 'u1', handle: 'ana' } };

function plan(shared: boolean) {
  return subscriptionPlan({ stream: LiveStreams.homeTimeline, query: 'query Live($id: ID!) { tweet(id: $id) { id } }', operationName: 'Live', responseKey: 'tweet', shared }, {});
}

/** A supergraph that answers every lookup with the tweet, and counts who asked. */
function supergraph(data: (id: string) => ExecutionResult['data'] = (id) => ({ tweet: { id } })) {
  const asked: Array<{ id: unknown; as: string | undefined }> = [];
  const run: RunOperation = async (request, who) => {
    asked.push({ id: Object.values(request.variables)[0], as: who.authorization });
    return { data: data(String(Object.values(request.variables)[0])) };
  };
  return { asked, run };
}

describe('LiveResolver', () => {
  it('resolves a shared plan once per event, anonymously, and keeps the payload settled for later copies', async () => {
    const { asked, run } = supergraph();
    const resolver = new LiveResolver(run);
    const shared = plan(true);
    expect(resolver.settled(shared, '7')).toBeUndefined();
    const [first, second] = await Promise.all([resolver.resolve(shared, '7', caller), resolver.resolve(shared, '7', caller)]);
    expect(first).toBe('{"data":{"tweet":{"id":"7"}}}');
    expect(second).toBe(first);
    expect(asked).toEqual([{ id: '7', as: undefined }]);
    expect(resolver.settled(shared, '7')).toBe(first);
    expect(resolver.settled(shared, '8')).toBeUndefined();
  });

  it('resolves a viewer-dependent plan per subscriber, as the subscriber, and never shares it', async () => {
    const { asked, run } = supergraph();
    const resolver = new LiveResolver(run);
    const own = plan(false);
    await resolver.resolve(own, '7', caller);
    await resolver.resolve(own, '7', caller);
    expect(asked).toEqual([
      { id: '7', as: 'Bearer token' },
      { id: '7', as: 'Bearer token' },
    ]);
    expect(resolver.settled(own, '7')).toBeUndefined();
  });

  it('gives null for an event whose tweet is gone, so nothing is sent', async () => {
    const resolver = new LiveResolver(supergraph(() => ({ tweet: null })).run);
    await expect(resolver.resolve(plan(true), '9', caller)).resolves.toBeNull();
    expect(resolver.settled(plan(true), '9')).toBeNull();
  });
});
