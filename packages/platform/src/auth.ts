import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { LRUCache } from 'lru-cache';
import { UnauthenticatedError } from './errors.js';

/** Who is making a request, once their token has been verified. */
export interface Viewer {
  id: string;
  handle: string;
}

/** A verified token: who, until when, and which of the user's session generations issued it. */
export interface Session {
  viewer: Viewer;
  expiresAtMs: number;
  /**
   * The user's session generation when the token was issued (claim `gen`; 0
   * for tokens issued before the claim existed). Logging out everywhere
   * raises the user's generation, and the gateway refuses older tokens.
   */
  generation: number;
}

/** A check a verified session must also pass (the gateway's: does the user still exist, is the token revoked?). */
export type SessionAdmission = (session: Session) => Promise<void>;

export interface TokenSettings {
  secret: string;
  issuer: string;
  ttlSeconds: number;
  /** Shared by every TokenService of the process, so a rotated secret reaches them all; made from `secret` when absent. */
  keys?: SigningKeys;
}

/**
 * The signing keys of a process: tokens are signed with the current one and
 * accepted under the current or the one before, so a rotation of the secret
 * (see secrets.ts) logs no one out: tokens issued before it stay valid
 * until they expire, as long as the next rotation is more than a token's
 * lifetime away.
 */
export class SigningKeys {
  private current: { secret: string; key: KeyObject };
  private previous: KeyObject | undefined;
  /** Goes up with each rotation: what was verified under the keys before is checked again. */
  version = 0;

  constructor(secret: string) {
    this.current = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  }

  rotate(secret: string): void {
    if (secret === this.current.secret) return;
    this.previous = this.current.key;
    this.current = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
    this.version += 1;
  }

  signing(): KeyObject {
    return this.current.key;
  }

  isCurrent(secret: string): boolean {
    return secret === this.current.secret;
  }

  /** The keys a token may be signed with, the current first. */
  verifying(): KeyObject[] {
    return this.previous ? [this.current.key, this.previous] : [this.current.key];
  }
}

const ALGORITHM = 'HS256';

/**
 * Signs and verifies the bearer tokens that identify users. Every subgraph
 * verifies the token itself: the gateway only forwards it, so no service ever
 * trusts an identity it has not checked. Whether the user still exists and
 * the token's generation is current is checked once, at the gateway (the
 * public edge; see gateway/src/sessions.ts), which is why subgraphs must not
 * be reachable from outside.
 */
export class TokenService {
  /** Imported once: jose would import a raw secret again on every verification. */
  private keys: SigningKeys;
  /**
   * Tokens already verified, until they expire. Every request is verified by
   * the gateway and again by a subgraph, and one client sends the same token
   * again and again: this spares the HMAC and the claim checks each time.
   */
  private readonly verified = new LRUCache<string, Session>({ max: 50_000 });
  private verifiedUnderKeys = 0;

  /**
   * `admit`, when given, runs on every verification after the signature and
   * claims check out, cached or not: the signature says who issued a token,
   * not whether its user still exists or has revoked it.
   */
  constructor(
    private readonly settings: TokenSettings,
    private readonly admit?: SessionAdmission,
  ) {
    // Shared keys only while they are the settings' own: settings copied with another secret (a test's forger) get theirs.
    this.keys = settings.keys?.isCurrent(settings.secret) ? settings.keys : new SigningKeys(settings.secret);
  }

  /** The same key and settings, with every verified session also passed through `admit`. */
  admitting(admit: SessionAdmission): TokenService {
    const twin = new TokenService(this.settings, admit);
    twin.keys = this.keys; // the very same keys, rotations included
    return twin;
  }

  /** A token for the viewer, carrying the user's current session generation. */
  async issue(viewer: Viewer, generation = 0): Promise<string> {
    return new SignJWT({ handle: viewer.handle, gen: generation })
      .setProtectedHeader({ alg: ALGORITHM })
      .setSubject(viewer.id)
      .setIssuer(this.settings.issuer)
      .setIssuedAt()
      .setExpirationTime(`${this.settings.ttlSeconds}s`)
      .sign(this.keys.signing());
  }

  /** The viewer a token names, or an UnauthenticatedError saying why not. */
  async verify(token: string): Promise<Viewer> {
    return (await this.verifySession(token)).viewer;
  }

  /** The viewer and when the token expires: a live connection closes then. */
  async verifySession(token: string): Promise<Session> {
    const session = await this.verifySignedSession(token);
    if (this.admit) await this.admit(session);
    return session;
  }

  private async verifySignedSession(token: string): Promise<Session> {
    if (this.keys.version !== this.verifiedUnderKeys) {
      // A rotation may have dropped the key a cached token was signed with.
      this.verified.clear();
      this.verifiedUnderKeys = this.keys.version;
    }
    const known = this.verified.get(token);
    if (known && known.expiresAtMs > Date.now()) return known;
    try {
      const { payload } = await this.verifyWithAnyKey(token);
      if (typeof payload.sub !== 'string' || typeof payload.handle !== 'string' || typeof payload.exp !== 'number') {
        throw new UnauthenticatedError('The token does not name a user.');
      }
      const generation = payload.gen ?? 0;
      if (typeof generation !== 'number' || !Number.isInteger(generation) || generation < 0) {
        throw new UnauthenticatedError('The token is not valid.');
      }
      const session = { viewer: { id: payload.sub, handle: payload.handle }, expiresAtMs: payload.exp * 1000, generation };
      this.verified.set(token, session);
      return session;
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof joseErrors.JWTExpired) {
        throw new UnauthenticatedError('Your session has expired; please log in again.');
      }
      throw new UnauthenticatedError('The token is not valid.');
    }
  }

  /** Checks the signature under each key in use (the current, then the one before a rotation). */
  private async verifyWithAnyKey(token: string): ReturnType<typeof jwtVerify> {
    const [current, ...older] = this.keys.verifying();
    try {
      return await jwtVerify(token, current as KeyObject, { issuer: this.settings.issuer, algorithms: [ALGORITHM] });
    } catch (error) {
      if (!(error instanceof joseErrors.JWSSignatureVerificationFailed) || older.length === 0) throw error;
      return jwtVerify(token, older[0] as KeyObject, { issuer: this.settings.issuer, algorithms: [ALGORITHM] });
    }
  }

  /** The token in an `Authorization: Bearer <token>` value, or an error saying what is wrong with it. */
  static bearerToken(header: string): string {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
    return match[1];
  }

  /**
   * The viewer named by an `Authorization: Bearer <token>` header. No header
   * means an anonymous request; a header that is present but wrong is an error
   * rather than a silent downgrade to anonymous.
   */
  async viewerFromHeader(header: string | undefined | null): Promise<Viewer | null> {
    if (!header) return null;
    return this.verify(TokenService.bearerToken(header));
  }
}

/** The viewer, or UNAUTHENTICATED for an operation that needs someone signed in. */
export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  return viewer;
}
