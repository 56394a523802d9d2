import {
  ConflictError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  requireViewer,
  type Cache,
  type OutboxRelay,
  type TokenService,
  type Viewer,
} from '@chirp/platform';
import { DuplicateValueError, type UserRepository } from '../repositories/types.js';
import { pendingProfileEvent } from '../events/producers.js';
import type { User } from './model.js';
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

export interface UserServiceDependencies {
  users: UserRepository;
  passwords: PasswordHasher;
  tokens: TokenService;
  relay: OutboxRelay;
  /** Counts failed log-ins per email for the throttle. */
  cache: Cache;
  newId: () => string;
  now: () => Date;
}

/** Failed log-ins allowed per email in one window, before RATE_LIMITED. */
const FAILED_LOGINS_ALLOWED = 10;
const LOGIN_WINDOW_SECONDS = 15 * 60;
const WRONG_CREDENTIALS = 'The email or password is not right.';
const failedLogInsKey = (emailKey: string) => `failed-logins:${emailKey}`;

/** Accounts and profiles. */
export class UserService {
  constructor(private readonly deps: UserServiceDependencies) {}

  async signUp(input: SignUpInput): Promise<Session> {
    const now = this.deps.now();
    const candidate = {
      handle: checkHandle(input.handle),
      email: checkEmail(input.email),
      firstName: checkName(input.firstName, 'firstName'),
      lastName: checkName(input.lastName, 'lastName'),
      birthDate: input.birthDate ? checkBirthDate(input.birthDate, now) : null,
    };
    const password = checkPassword(input.password);
    await this.refuseTaken(candidate.handle, candidate.email);
    const passwordHash = await this.deps.passwords.hash(password);
    const user = await this.createOrExplainConflict({ ...candidate, id: this.deps.newId(), passwordHash, createdAt: now });
    await this.deps.relay.publish([pendingProfileEvent(this.deps.users, user)]);
    return this.sessionFor(user);
  }

  async logIn(input: LogInInput): Promise<Session> {
    const emailKey = input.email.trim().toLowerCase();
    await this.refuseWhenThrottled(emailKey);
    const credentials = await this.deps.users.findCredentialsByEmail(emailKey);
    const valid = credentials
      ? await this.deps.passwords.verify(input.password, credentials.passwordHash)
      : await this.deps.passwords.verifyDecoy(input.password);
    // One answer for an unknown email and a wrong password: no probing for accounts.
    if (!credentials || !valid) {
      await this.deps.cache.increment(failedLogInsKey(emailKey), LOGIN_WINDOW_SECONDS);
      throw new UnauthenticatedError(WRONG_CREDENTIALS);
    }
    const user = await this.deps.users.findById(credentials.userId);
    if (!user) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    return this.sessionFor(user);
  }

  async updateProfile(viewer: Viewer | null, input: ProfileInput): Promise<User> {
    const { id } = requireViewer(viewer);
    const now = this.deps.now();
    const changes = checkProfileChanges(input, now);
    const user = await this.deps.users.updateProfile(id, changes, now);
    if (!user) throw new NotFoundError('Your account no longer exists.');
    await this.deps.relay.publish([pendingProfileEvent(this.deps.users, user)]);
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

  private async refuseWhenThrottled(emailKey: string): Promise<void> {
    const [failures] = await this.deps.cache.getMany([failedLogInsKey(emailKey)]);
    if (Number(failures ?? 0) >= FAILED_LOGINS_ALLOWED) {
      throw new RateLimitedError('Too many log-in attempts for this account. Try again in a few minutes.', LOGIN_WINDOW_SECONDS);
    }
  }

  private async sessionFor(user: User): Promise<Session> {
    return { token: await this.deps.tokens.issue({ id: user.id, handle: user.handle }), user };
  }
}

