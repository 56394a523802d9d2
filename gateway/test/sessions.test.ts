import type http from 'node:http';
import { EVERY_GATEWAY, InMemoryLiveBus, LiveStreams, createLogger, type Session } from '@chirp/platform';
import { clientAddress } from '../src/client-address.js';
import { SESSION_REFUSED, SessionCheck, SessionCheckUnavailableError, forgetOnRevocation } from '../src/sessions.js';

const session = (id: string, generation = 0): Session => ({ viewer: { id, handle: id }, expiresAtMs: Date.now() + 60_000, generation });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A session check over a users subgraph stand-in that counts its look-ups. */
function check(generations: Map<string, number>, ttlMs = 60_000) {
  const asked: string[] = [];
  let failing = false;
  const sessions = new SessionCheck({
    ttlMs,
    lookup: async (userId) => {
      asked.push(userId);
      await sleep(5);
      if (failing) throw new Error('users subgraph away');
      return generations.get(userId) ?? null;
    },
  });
  return { sessions, asked, fail: (value: boolean) => void (failing = value) };
}

describe('SessionCheck', () => {
  it('admits a user who exists at their generation, asking once for many concurrent requests', async () => {
    const { sessions, asked } = check(new Map([['ada', 0]]));
    await Promise.all(Array.from({ length: 20 }, () => sessions.admit(session('ada'))));
    await sessions.admit(session('ada'));
    expect(asked).toEqual(['ada']);
  });

  it('forgets a user the users subgraph announces revoked, so the next request asks again', async () => {
    const generations = new Map([['ada', 0]]);
    const { sessions, asked } = check(generations);
    const live = new InMemoryLiveBus();
    const stop = await forgetOnRevocation(live, sessions, createLogger('test', 'silent'));
    await sessions.admit(session('ada'));
    generations.set('ada', 1);
    await live.publish(LiveStreams.sessions, [EVERY_GATEWAY], 'ada');
    await expect(sessions.admit(session('ada'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(asked).toEqual(['ada', 'ada']);
    await stop();
    await live.close();
  });

  it('refuses a user who does not exist, and remembers that too', async () => {
    const { sessions, asked } = check(new Map());
    await expect(sessions.admit(session('ghost'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: SESSION_REFUSED });
    await expect(sessions.admit(session('ghost'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(asked).toEqual(['ghost']);
  });

  it('refuses a token of an older generation once the answer is renewed (stale while revalidating) or forgotten', async () => {
    const generations = new Map([['ada', 0]]);
    const { sessions } = check(generations, 50);
    await sessions.admit(session('ada', 0));
    generations.set('ada', 1); // logOutEverywhere, elsewhere
    await sessions.admit(session('ada', 0)); // within the time an answer is trusted
    await sleep(60);
    await sessions.admit(session('ada', 0)); // past its time: used once more, without waiting, while a fresh answer is fetched
    await sleep(20);
    await expect(sessions.admit(session('ada', 0))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    generations.set('ada', 2);
    sessions.forget('ada');
    await expect(sessions.admit(session('ada', 1))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('asks again at once for a token newer than what it remembers (logged out everywhere, then in again)', async () => {
    const generations = new Map([['ada', 0]]);
    const { sessions, asked } = check(generations);
    await sessions.admit(session('ada', 0));
    generations.set('ada', 1);
    await sessions.admit(session('ada', 1));
    expect(asked).toEqual(['ada', 'ada']);
    await expect(sessions.admit(session('ada', 0))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('says the check is unavailable, not that the token is bad, when the users subgraph does not answer', async () => {
    const { sessions, fail } = check(new Map([['ada', 0]]), 20);
    fail(true);
    await expect(sessions.admit(session('ada'))).rejects.toBeInstanceOf(SessionCheckUnavailableError);
    fail(false);
    await sessions.admit(session('ada'));
    fail(true);
    await sleep(30);
    await sessions.admit(session('ada')); // seen lately: what was last known stands in meanwhile
  });
});

describe('clientAddress', () => {
  const request = (remoteAddress: string, forwarded?: string) =>
    ({ socket: { remoteAddress }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} }) as unknown as http.IncomingMessage;

  it('is the peer, whatever the caller wrote, when no proxy is trusted', () => {
    expect(clientAddress(request('203.0.113.5', '1.1.1.1'), 0)).toBe('203.0.113.5');
  });

  it('is the entry the outermost trusted proxy saw, never one further left', () => {
    expect(clientAddress(request('10.0.0.2', '198.51.100.9'), 1)).toBe('198.51.100.9');
    expect(clientAddress(request('10.0.0.2', 'forged, 198.51.100.9'), 1)).toBe('198.51.100.9');
    expect(clientAddress(request('10.0.0.3', 'forged, 198.51.100.9, 10.0.0.2'), 2)).toBe('198.51.100.9');
    expect(clientAddress(request('10.0.0.2'), 1)).toBe('10.0.0.2');
    expect(clientAddress(request('10.0.0.2', '198.51.100.9'), 5)).toBe('198.51.100.9');
  });
});
