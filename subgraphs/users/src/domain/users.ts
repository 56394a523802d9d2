import {
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
  addressKey,
  enforceRateLimit,
  hashedKey,
  requireViewer,
  type OutboxRelay,
  type RateLimiter,
  type RequestOrigin,
  type TokenService,
  type Viewer,
} from '@chirp/platform';
import { DuplicateValueError, type UserRepository } from '../repositories/types.js';
import { pendingProfileEvent } from '../events/producers.js';
import type { MediaService } from './media.js';
import type { User } from './model.js';
import type { PictureUrls } from './pictures.js';
import type { PasswordHasher } from './passwords.js';
import {
  checkBirthDate,
  checkEmail,
  checkHandle,
  checkName,
  checkPassword,
  checkProfileChanges,
  type ProfileInput,
} from './validation.js';

export interface SignUpInput {
  handle: string;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  birthDate?: string | null;
}

export interface LogInInput {
  email: string;
  password: string;
}

export interface Session {
  token: string;
  user: User;
}

/** The limits the account rules count against (see RATE_LIMIT_NAMES in the platform's config). */
export interface AccountLimits {
  /** Log-in attempts per email (hashed) that were not right. */
  logInAccount: RateLimiter;
  /** Log-in attempts per client address that were not right. */
  logInAddress: RateLimiter;
  /** Sign-ups per client address. */
  signUp: RateLimiter;
}

export interface UserServiceDependencies {
  users: UserRepository;
  passwords: PasswordHasher;
  tokens: TokenService;
  relay: OutboxRelay;
  limits: AccountLimits;
  /** Where the profile's pictures are served (their URLs go into profile events). */
  pictures: PictureUrls;
  /** What the deprecated avatarUrl and bannerUrl may still change, and deleting a removed picture. */
  media: Pick<MediaService, 'legacyUrlChanges' | 'deleteQuietly'>;
  /**
   * Tells every gateway at once that the user's sessions were revoked, so
   * none waits for its cached answer to expire. Best effort: the gateways'
   * cache lifetime bounds a message that is lost.
   */
  announceRevoked: (userId: string) => Promise<void>;
  newId: () => string;
  now: () => Date;
}

const WRONG_CREDENTIALS = 'The email or password is not right.';

/** Accounts and profiles. */
export class UserService {
  constructor(private readonly deps: UserServiceDependencies) {}

  async signUp(input: SignUpInput, origin: RequestOrigin): Promise<Session> {
    const now = this.deps.now();
    const candidate = {
      handle: checkHandle(input.handle),
      email: checkEmail(input.email),
      firstName: checkName(input.firstName, 'firstName'),
      lastName: checkName(input.lastName, 'lastName'),
      birthDate: input.birthDate ? checkBirthDate(input.birthDate, now) : null,
    };
    const password = checkPassword(input.password);
    // Counted once the input is valid, taken or not: a taken email answers CONFLICT, which must not be free to probe.
    await enforceRateLimit(this.deps.limits.signUp, addressKey(origin.clientAddress), 'Too many sign-ups from your network.');
    await this.refuseTaken(candidate.handle, candidate.email);
    const passwordHash = await this.deps.passwords.hash(password);
    const user = await this.createOrExplainConflict({ ...candidate, id: this.deps.newId(), passwordHash, createdAt: now });
    await this.deps.relay.publish([pendingProfileEvent(this.deps.users, user, this.deps.pictures)]);
    return this.sessionFor(user);
  }

  async logIn(input: LogInInput, origin: RequestOrigin): Promise<Session> {
    const emailKey = input.email.trim().toLowerCase();
    const attempt = await this.startLogInAttempt(emailKey, origin);
    const credentials = await this.deps.users.findCredentialsByEmail(emailKey);
    const valid = credentials
      ? await this.deps.passwords.verify(input.password, credentials.passwordHash)
      : await this.deps.passwords.verifyDecoy(input.password);
    // One answer for an unknown email and a wrong password: no probing for accounts.
    // A wrong one keeps the points it took.
    if (!credentials || !valid) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    const user = await this.deps.users.findById(credentials.userId);
    if (!user) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    await attempt.succeeded();
    return this.sessionFor(user);
  }

  /**
   * Ends every session of the viewer: every token issued so far, this one
   * included, is refused from now on, by every gateway as soon as it hears
   * the announcement (at the latest once its cached answer expires). The
   * profile's version goes up with it, so every cached copy is replaced.
   */
  async logOutEverywhere(viewer: Viewer | null): Promise<boolean> {
    const { id } = requireViewer(viewer);
    const user = await this.deps.users.revokeSessions(id, this.deps.now());
    if (!user) throw new UnauthenticatedError('Your account no longer exists.');
    await Promise.all([this.deps.relay.publish([pendingProfileEvent(this.deps.users, user, this.deps.pictures)]), this.deps.announceRevoked(id)]);
    return true;
  }

  /** The user's current session generation, or null when there is no such user (the gateway's session check). */
  async sessionGeneration(userId: string): Promise<number | null> {
    return (await this.deps.users.findById(userId))?.sessionGeneration ?? null;
  }

  async updateProfile(viewer: Viewer | null, input: ProfileInput): Promise<User> {
    const { id } = requireViewer(viewer);
    const now = this.deps.now();
    const { avatarUrl, bannerUrl, ...fields } = input;
    const changes = checkProfileChanges(fields, now);
    let garbage: string[] = [];
    if (avatarUrl !== undefined || bannerUrl !== undefined) {
      const before = await this.deps.users.findById(id);
      if (!before) throw new NotFoundError('Your account no longer exists.');
      const pictures = this.deps.media.legacyUrlChanges(before, { avatarUrl, bannerUrl });
      Object.assign(changes, pictures.changes);
      garbage = pictures.garbage;
    }
    const user = await this.deps.users.updateProfile(id, changes, now);
    if (!user) throw new NotFoundError('Your account no longer exists.');
    await this.deps.relay.publish([pendingProfileEvent(this.deps.users, user, this.deps.pictures)]);
    await this.deps.media.deleteQuietly(garbage);
    return user;
  }

  async me(viewer: Viewer | null): Promise<User | null> {
    return viewer ? this.deps.users.findById(viewer.id) : null;
  }

  /** A user by handle; a handle that cannot exist is simply not found. */
  async byHandle(handle: string): Promise<User | null> {
    return this.deps.users.findByHandle(handle);
  }

  /** Users in the order of `ids`, null where there is none (DataLoader's contract). */
  async byIds(ids: readonly string[]): Promise<Array<User | null>> {
    const found = new Map((await this.deps.users.findByIds(ids)).map((user) => [user.id, user]));
    return ids.map((id) => found.get(id) ?? null);
  }

  private async refuseTaken(handle: string, email: string): Promise<void> {
    const [byHandle, byEmail] = await Promise.all([
      this.deps.users.findByHandle(handle),
      this.deps.users.findCredentialsByEmail(email),
    ]);
    if (byHandle) throw new ConflictError(`The handle @${handle} is taken.`, 'handle');
    if (byEmail) throw new ConflictError('An account with this email exists already; log in instead.', 'email');
  }

  /** The unique indexes have the last word when two sign-ups race for the same handle or email. */
  private async createOrExplainConflict(user: Parameters<UserRepository['create']>[0]): Promise<User> {
    try {
      return await this.deps.users.create(user);
    } catch (error) {
      if (!(error instanceof DuplicateValueError)) throw error;
      if (error.field === 'handle') throw new ConflictError(`The handle @${user.handle} is taken.`, 'handle');
      throw new ConflictError('An account with this email exists already; log in instead.', 'email');
    }
  }

  /**
   * Takes a point from the client's address, then from the account, before
   * any password is checked: the counts are raised atomically first, so of
   * thirty concurrent attempts only the limit's worth are ever checked. The
   * address goes first, so a stranger already over their own limit cannot
   * use up the owner's; an attempt the account refuses was never checked
   * and gives the address its point back. A right password gives both back.
   */
  private async startLogInAttempt(emailKey: string, origin: RequestOrigin): Promise<{ succeeded(): Promise<void> }> {
    const { logInAccount, logInAddress } = this.deps.limits;
    const [account, address] = [hashedKey(emailKey), addressKey(origin.clientAddress)];
    await enforceRateLimit(logInAddress, address, 'Too many failed log-ins from your network.');
    try {
      await enforceRateLimit(logInAccount, account, 'Too many failed log-ins for this account.');
    } catch (error) {
      await logInAddress.refund(address);
      throw error;
    }
    return { succeeded: () => Promise.all([logInAccount.refund(account), logInAddress.refund(address)]).then(() => undefined) };
  }

  private async sessionFor(user: User): Promise<Session> {
    return { token: await this.deps.tokens.issue({ id: user.id, handle: user.handle }, user.sessionGeneration), user };
  }
}

