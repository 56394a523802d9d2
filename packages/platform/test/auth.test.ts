import { SignJWT } from 'jose';
import { TokenService, UnauthenticatedError, requireViewer } from '@chirp/platform';

const settings = { secret: 'a-test-secret-that-is-long-enough-1234', issuer: 'chirp', ttlSeconds: 60 };

describe('TokenService', () => {
  const tokens = new TokenService(settings);

  it('verifies the tokens it issues', async () => {
    const token = await tokens.issue({ id: '42', handle: 'ada' });
    await expect(tokens.verify(token)).resolves.toEqual({ id: '42', handle: 'ada' });
    await expect(tokens.viewerFromHeader(`Bearer ${token}`)).resolves.toEqual({ id: '42', handle: 'ada' });
  });

  it('treats a missing header as anonymous, and a malformed one as an error', async () => {
    await expect(tokens.viewerFromHeader(undefined)).resolves.toBeNull();
    await expect(tokens.viewerFromHeader('Token abc')).rejects.toThrow(UnauthenticatedError);
  });

  it('refuses a token signed with another key', async () => {
    const other = new TokenService({ ...settings, secret: 'another-secret-that-is-long-enough-99' });
    await expect(tokens.verify(await other.issue({ id: '1', handle: 'x' }))).rejects.toThrow('The token is not valid.');
  });

  it('refuses an expired token, saying so', async () => {
    const expired = await new SignJWT({ handle: 'ada' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('42')
      .setIssuer('chirp')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new TextEncoder().encode(settings.secret));
    await expect(tokens.verify(expired)).rejects.toThrow('Your session has expired; please log in again.');
  });

  it('refuses a token with no algorithm (alg: none)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: '1', handle: 'x', iss: 'chirp' })).toString('base64url');
    await expect(tokens.verify(`${header}.${body}.`)).rejects.toThrow(UnauthenticatedError);
  });

  it('requireViewer refuses anonymous callers', () => {
    expect(() => requireViewer(null)).toThrow(UnauthenticatedError);
    expect(requireViewer({ id: '1', handle: 'a' })).toEqual({ id: '1', handle: 'a' });
  });
});

describe('TokenService cache of verified tokens', () => {
  it('answers a token again from its cache, and still refuses it once expired', async () => {
    // Two seconds: `exp` counts whole seconds from the second it was issued in, so a one-second
    // token may have only milliseconds left by the first check on a busy machine.
    const shortLived = new TokenService({ ...settings, ttlSeconds: 2 });
    const token = await shortLived.issue({ id: '7', handle: 'grace' });
    await expect(shortLived.verify(token)).resolves.toEqual({ id: '7', handle: 'grace' });
    await expect(shortLived.verify(token)).resolves.toEqual({ id: '7', handle: 'grace' });
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    await expect(shortLived.verify(token)).rejects.toThrow('Your session has expired; please log in again.');
  });
});

describe('TokenService session generations', () => {
  const tokens = new TokenService(settings);

  it('carries the generation it was issued at, 0 for a token from before the claim', async () => {
    const token = await tokens.issue({ id: '42', handle: 'ada' }, 3);
    await expect(tokens.verifySession(token)).resolves.toMatchObject({ viewer: { id: '42', handle: 'ada' }, generation: 3 });
    const older = await new SignJWT({ handle: 'ada' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('42')
      .setIssuer('chirp')
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(settings.secret));
    await expect(tokens.verifySession(older)).resolves.toMatchObject({ generation: 0 });
  });

  it('passes every verification, cached or not, through the admission check', async () => {
    const seen: number[] = [];
    const checked = tokens.admitting(async (session) => {
      seen.push(session.generation);
      if (session.generation < 2) throw new UnauthenticatedError('Your session is no longer valid; please log in again.');
    });
    const current = await tokens.issue({ id: '7', handle: 'grace' }, 2);
    await expect(checked.verify(current)).resolves.toEqual({ id: '7', handle: 'grace' });
    await expect(checked.verify(current)).resolves.toEqual({ id: '7', handle: 'grace' });
    const revoked = await tokens.issue({ id: '7', handle: 'grace' }, 1);
    await expect(checked.viewerFromHeader(`Bearer ${revoked}`)).rejects.toThrow('Your session is no longer valid; please log in again.');
    expect(seen).toEqual([2, 2, 1]);
    await expect(tokens.verify(revoked)).resolves.toEqual({ id: '7', handle: 'grace' }); // the original checks signatures only
  });
});
