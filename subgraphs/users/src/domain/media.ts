import { createHash } from 'node:crypto';
import {
  ForbiddenError,
  IMMUTABLE_CACHE_CONTROL,
  INCOMING_PREFIX,
  InvalidInputError,
  NotFoundError,
  ObjectTooLargeError,
  enforceRateLimit,
  refuseLongerThan,
  requireViewer,
  type Logger,
  type ObjectStorage,
  type OutboxRelay,
  type PresignedUpload,
  type RateLimiter,
  type Viewer,
} from '@chirp/platform';
import { pendingProfileEvent } from '../events/producers.js';
import type { MediaUploadRepository, UserRepository } from '../repositories/types.js';
import {
  ACCEPTED_CONTENT_TYPES,
  IMAGE_RULES,
  ImageRejectedError,
  checkDimensions,
  formatName,
  renditionSizesFor,
  type AcceptedContentType,
  type ImageProcessor,
  type MediaKind,
  type Rendition,
} from './images.js';
import type { Picture, ProfileChanges, User } from './model.js';
import { keysOf, legacyUrlField, pictureField, pictureOf, type PictureUrls } from './pictures.js';

/** One presigned upload, from its creation to its use (or refusal, or expiry). */
export interface MediaUpload {
  id: string;
  userId: string;
  kind: MediaKind;
  /** Where the client's file lands: under `incoming/`, never served. */
  key: string;
  contentType: AcceptedContentType;
  byteSize: number;
  createdAt: Date;
  expiresAt: Date;
  updatedAt: Date;
  state: UploadState;
  /** The sizes made from it, recorded before they are written: a sweep deletes them if no profile took them. */
  madeKeys: string[];
  /** The picture it replaced, recorded before the profile changes: deleted once it has. */
  replacedKeys: string[];
}

/** An uploaded file as read back: its bytes, unless it was larger than declared. */
interface StoredUpload {
  bytes: Buffer | null;
  size: number;
}

/** pending → processing → used; or → failed (refused, expired, or made and never taken). */
export type UploadState = 'pending' | 'processing' | 'used' | 'failed';

/**
 * What the sweep settles: a form expired unused, processing that stopped
 * (stuck since `stuckBefore`), and a used upload whose replaced picture is
 * still listed (its deletion did not happen).
 */
export function isUnsettled(upload: MediaUpload, expiredBefore: Date, stuckBefore: Date): boolean {
  if (upload.state === 'pending') return upload.expiresAt < expiredBefore;
  if (upload.state === 'processing') return upload.updatedAt < stuckBefore;
  return upload.state === 'used' && upload.replacedKeys.length > 0 && upload.updatedAt < stuckBefore;
}

export interface MediaServiceDependencies {
  uploads: MediaUploadRepository;
  users: UserRepository;
  storage: ObjectStorage;
  images: ImageProcessor;
  pictures: PictureUrls;
  relay: OutboxRelay;
  /** Upload forms per user. */
  limit: RateLimiter;
  logger: Logger;
  newId: () => string;
  now: () => Date;
}

/** How long an upload form stays good: long enough for a large file on a slow phone. */
const UPLOAD_TTL_SECONDS = 15 * 60;
/** An upload still processing after this died mid-way: the sweep tidies after it. */
const PROCESSING_TIMEOUT_MS = 10 * 60 * 1000;

/** A URL typed into the deprecated fields is bounded before it is looked at. */
const MAX_URL_LENGTH = 2048;
const FOLDER: Record<MediaKind, string> = { AVATAR: 'avatars', BANNER: 'banners' };
const NAME: Record<MediaKind, string> = { AVATAR: 'avatar', BANNER: 'banner' };
const A_NAME: Record<MediaKind, string> = { AVATAR: 'an avatar', BANNER: 'a banner' };

/**
 * Avatars and banners. The bytes go from the client straight to storage
 * with a single-use presigned form; `setPicture` then checks the stored file
 * from its own bytes, makes the sizes a client shows, stores them under
 * keys named by their content (so a URL never changes what it shows), and
 * only then points the profile at them. Every step that can be cut short
 * leaves what a sweep can find: a profile never points to nothing, and at
 * worst an object waits for the sweep to delete it.
 */
export class MediaService {
  constructor(private readonly deps: MediaServiceDependencies) {}

  async createUpload(viewer: Viewer | null, kind: MediaKind, contentType: string, byteSize: number): Promise<{ upload: MediaUpload; form: PresignedUpload }> {
    const { id: userId } = requireViewer(viewer);
    const type = checkContentType(contentType);
    const maxBytes = IMAGE_RULES.maxBytes[kind];
    if (!Number.isInteger(byteSize) || byteSize < 1 || byteSize > maxBytes) {
      throw new InvalidInputError('byteSize', `${capitalized(A_NAME[kind])} file must be 1 byte to ${maxBytes / (1024 * 1024)} MB; this one is ${byteSize} bytes.`);
    }
    await enforceRateLimit(this.deps.limit, userId, 'You have started too many uploads.');
    const now = this.deps.now();
    const id = this.deps.newId();
    const upload: MediaUpload = {
      id,
      userId,
      kind,
      key: `${INCOMING_PREFIX}${userId}/${id}`,
      contentType: type,
      byteSize,
      createdAt: now,
      updatedAt: now,
      expiresAt: new Date(now.getTime() + UPLOAD_TTL_SECONDS * 1000),
      state: 'pending',
      madeKeys: [],
      replacedKeys: [],
    };
    await this.deps.uploads.create(upload);
    const form = await this.deps.storage.presignUpload({ key: upload.key, contentType: type, byteSize, expiresInSeconds: UPLOAD_TTL_SECONDS });
    return { upload, form };
  }

  /** Makes an uploaded file the user's avatar or banner. */
  async setPicture(viewer: Viewer | null, kind: MediaKind, uploadId: string): Promise<User> {
    const { id: userId } = requireViewer(viewer);
    const upload = await this.usableUpload(userId, kind, uploadId);
    const stored = await this.readUpload(upload);
    if (!stored) {
      throw new InvalidInputError('uploadId', 'No file has been uploaded for this upload yet: post the file with its upload form first.');
    }
    if (!(await this.deps.uploads.transition(upload.id, 'pending', 'processing', {}, this.deps.now()))) throw alreadyUsed();
    let renditions: Rendition[];
    try {
      renditions = await this.render(upload, stored);
    } catch (error) {
      await this.refuse(upload);
      throw error;
    }
    return this.takePicture(upload, renditions);
  }

  /** Removes the avatar or banner (an uploaded one, or a URL typed before uploads). */
  async removePicture(viewer: Viewer | null, kind: MediaKind): Promise<User> {
    const { id: userId } = requireViewer(viewer);
    const before = await this.deps.users.findById(userId);
    if (!before) throw new NotFoundError('Your account no longer exists.');
    const user = await this.changeProfile(userId, { [pictureField(kind)]: null, [legacyUrlField(kind)]: null });
    await this.deleteQuietly(keysOf(pictureOf(before, kind)));
    return user;
  }

  /**
   * What `updateProfile`'s deprecated `avatarUrl` and `bannerUrl` may say:
   * null removes the picture; a URL of the current picture changes nothing;
   * any other URL is refused with the way to upload one. Returns the
   * profile changes and the objects to delete once they are made.
   */
  legacyUrlChanges(user: User, input: { avatarUrl?: string | null; bannerUrl?: string | null }): { changes: ProfileChanges; garbage: string[] } {
    const changes: ProfileChanges = {};
    const garbage: string[] = [];
    for (const kind of ['AVATAR', 'BANNER'] as const) {
      const url = input[legacyUrlField(kind)];
      if (url === undefined) continue;
      if (url === null) {
        Object.assign(changes, { [pictureField(kind)]: null, [legacyUrlField(kind)]: null });
        garbage.push(...keysOf(pictureOf(user, kind)));
        continue;
      }
      refuseLongerThan(url, MAX_URL_LENGTH, legacyUrlField(kind), `${capitalized(A_NAME[kind])} URL can be at most ${MAX_URL_LENGTH} characters.`);
      if (!this.deps.pictures.isCurrent(user, kind, url)) {
        const mutation = kind === 'AVATAR' ? 'setAvatar' : 'setBanner';
        throw new InvalidInputError(
          legacyUrlField(kind),
          `${capitalized(A_NAME[kind])} is uploaded, not linked: call createMediaUpload, post the file with the form it gives, then ${mutation}. Here only null (to remove it) or the URL of your current ${NAME[kind]} is taken.`,
        );
      }
    }
    return { changes, garbage };
  }

  /** Deletes objects no profile points to any more; a failure is left to the sweep, not shown to the person. */
  async deleteQuietly(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.deps.storage.delete(keys).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, keys }, 'could not delete replaced media; the sweep will');
    });
  }

  /**
   * Tidies after uploads cut short: a form never used before it expired
   * (its file, if any, deleted), and processing that died mid-way (the sizes
   * it made deleted unless the profile took them; the replaced picture
   * deleted if it did). Returns how many uploads it settled.
   */
  async sweep(limit = 100): Promise<number> {
    const now = this.deps.now();
    const stale = await this.deps.uploads.findUnsettled(now, new Date(now.getTime() - PROCESSING_TIMEOUT_MS), limit);
    let settled = 0;
    for (const upload of stale) {
      try {
        await this.settle(upload);
        settled += 1;
      } catch (error) {
        this.deps.logger.warn({ err: error, uploadId: upload.id }, 'could not settle an upload; the next sweep tries again');
      }
    }
    return settled;
  }

  private async settle(upload: MediaUpload): Promise<void> {
    if (upload.state === 'pending') {
      await this.deps.storage.delete([upload.key]);
      await this.deps.uploads.transition(upload.id, 'pending', 'failed', {}, this.deps.now());
      return;
    }
    // Whatever the owner's profile does not point to now is garbage: the sizes
    // made (if never taken, or replaced since), the picture they replaced.
    const owner = await this.deps.users.findById(upload.userId);
    const current = new Set(keysOf(owner ? pictureOf(owner, upload.kind) : null));
    const taken = upload.state === 'used' || (upload.madeKeys.length > 0 && upload.madeKeys.every((key) => current.has(key)));
    const garbage = [upload.key, ...upload.replacedKeys, ...upload.madeKeys].filter((key) => !current.has(key));
    await this.deps.storage.delete(garbage);
    await this.deps.uploads.transition(upload.id, upload.state, taken ? 'used' : 'failed', { replacedKeys: [] }, this.deps.now());
  }

  private async usableUpload(userId: string, kind: MediaKind, uploadId: string): Promise<MediaUpload> {
    const upload = await this.deps.uploads.findById(uploadId);
    if (!upload) throw new InvalidInputError('uploadId', 'There is no such upload: create one with createMediaUpload.');
    if (upload.userId !== userId) throw new ForbiddenError('This upload is someone else’s.');
    if (upload.kind !== kind) {
      const mutation = upload.kind === 'AVATAR' ? 'setAvatar' : 'setBanner';
      throw new InvalidInputError('uploadId', `This upload was made for ${A_NAME[upload.kind]}: use it with ${mutation}.`);
    }
    if (upload.state === 'failed') throw new InvalidInputError('uploadId', 'This upload was refused or has expired: create a new one.');
    if (upload.state !== 'pending') throw alreadyUsed();
    if (upload.expiresAt < this.deps.now()) throw new InvalidInputError('uploadId', 'This upload has expired: create a new one.');
    return upload;
  }

  /** The stored file, checked from its own bytes, in the sizes a client shows. */
  private async render(upload: MediaUpload, { bytes, size }: StoredUpload): Promise<Rendition[]> {
    if (!bytes || size !== upload.byteSize) {
      throw new ImageRejectedError(`The uploaded file is ${size} bytes, but ${upload.byteSize} were declared: upload the whole file again.`);
    }
    const facts = await this.deps.images.inspect(bytes);
    const declared = ACCEPTED_CONTENT_TYPES[upload.contentType];
    if (facts.format !== declared) {
      throw new ImageRejectedError(`The file is a ${formatName(facts.format)} image, but it was declared as ${upload.contentType}: declare what it is.`);
    }
    checkDimensions(upload.kind, facts);
    return this.deps.images.render(bytes, renditionSizesFor(upload.kind, facts));
  }

  /** The uploaded file, read at most to its declared size (a larger one only says how large); null when none was uploaded. */
  private async readUpload(upload: MediaUpload): Promise<StoredUpload | null> {
    try {
      const bytes = await this.deps.storage.read(upload.key, upload.byteSize);
      return bytes && { bytes, size: bytes.length };
    } catch (error) {
      if (error instanceof ObjectTooLargeError) return { bytes: null, size: error.size };
      throw error;
    }
  }

  /** Stores the sizes (recorded first), points the profile at them, then deletes what they replace. */
  private async takePicture(upload: MediaUpload, renditions: Rendition[]): Promise<User> {
    const before = await this.deps.users.findById(upload.userId);
    if (!before) throw new NotFoundError('Your account no longer exists.');
    const field = pictureField(upload.kind);
    const picture: Picture = {
      sizes: renditions.map((rendition) => ({ width: rendition.width, height: rendition.height, key: this.keyFor(upload, rendition) })),
    };
    const madeKeys = keysOf(picture);
    const replacedKeys = keysOf(pictureOf(before, upload.kind)).filter((key) => !madeKeys.includes(key));
    await this.deps.uploads.transition(upload.id, 'processing', 'processing', { madeKeys, replacedKeys }, this.deps.now());
    await Promise.all(
      renditions.map((rendition, index) =>
        this.deps.storage.write(madeKeys[index] as string, rendition.bytes, { contentType: rendition.contentType, cacheControl: IMMUTABLE_CACHE_CONTROL }),
      ),
    );
    const user = await this.changeProfile(upload.userId, { [field]: picture, [legacyUrlField(upload.kind)]: null });
    await this.deps.uploads.transition(upload.id, 'processing', 'used', {}, this.deps.now());
    await this.deleteQuietly([upload.key, ...replacedKeys]);
    await this.deps.uploads.transition(upload.id, 'used', 'used', { replacedKeys: [] }, this.deps.now());
    return user;
  }

  /** Content-addressed, under the user: the same picture twice is the same key, and a new one is a new URL. */
  private keyFor(upload: MediaUpload, rendition: Rendition): string {
    const digest = createHash('sha256').update(rendition.bytes).digest('hex').slice(0, 32);
    return `${FOLDER[upload.kind]}/${upload.userId}/${digest}-${rendition.width}x${rendition.height}.${rendition.extension}`;
  }

  private async changeProfile(userId: string, changes: ProfileChanges): Promise<User> {
    const user = await this.deps.users.updateProfile(userId, changes, this.deps.now());
    if (!user) throw new NotFoundError('Your account no longer exists.');
    await this.deps.relay.publish([pendingProfileEvent(this.deps.users, user, this.deps.pictures)]);
    return user;
  }

  /** A refused file: the upload is spent and its file deleted. */
  private async refuse(upload: MediaUpload): Promise<void> {
    await this.deps.uploads.transition(upload.id, 'processing', 'failed', {}, this.deps.now());
    await this.deleteQuietly([upload.key]);
  }
}

function checkContentType(contentType: string): AcceptedContentType {
  const type = contentType.trim().toLowerCase();
  if (type in ACCEPTED_CONTENT_TYPES) return type as AcceptedContentType;
  throw new InvalidInputError('contentType', `${JSON.stringify(contentType.slice(0, 40))} is not a picture type taken: use image/jpeg, image/png or image/webp.`);
}

function alreadyUsed(): InvalidInputError {
  return new InvalidInputError('uploadId', 'This upload has already been used: create a new one.');
}

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
