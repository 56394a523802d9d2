/**
 * Object storage for media (avatars, banners): the bytes never pass through
 * the GraphQL services on the way in. A client is given a presigned upload
 * (an S3-style POST form bound to one key, one content type and one exact
 * size, for a few minutes) and sends the file straight to storage; the
 * service then reads it back, checks it and stores what it made of it.
 *
 * Two adapters pass one contract suite (`@chirp/testing`'s
 * storage-contract): S3 (`S3ObjectStorage`: AWS, or any S3-compatible
 * server) and a local directory (`DiskObjectStorage`: the embedded default,
 * its uploads and files served by the gateway under `/media/`).
 */
export interface ObjectStorage {
  /**
   * A single-key upload form: the client POSTs `multipart/form-data` to
   * `url` with every field of `fields`, then the file as the field `file`.
   * Storage refuses a file of another size or content type, or one sent
   * after `expiresInSeconds`.
   */
  presignUpload(request: UploadRequest): Promise<PresignedUpload>;
  /** The stored object's size and content type; null when there is none. */
  head(key: string): Promise<StoredObject | null>;
  /**
   * The object's bytes; null when there is none. Refuses (with
   * `ObjectTooLargeError`) an object over `maxBytes` before reading it.
   */
  read(key: string, maxBytes: number): Promise<Buffer | null>;
  /** Stores an object (public: served at `publicUrl(key)` with `cacheControl`). */
  write(key: string, body: Buffer, options: WriteOptions): Promise<void>;
  /** Deletes these objects; a key with no object is no error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Up to `limit` keys under `prefix` last written before `before` (for sweeps). */
  listOlderThan(prefix: string, before: Date, limit: number): Promise<string[]>;
  /** Where a client fetches the object (a CDN in production). */
  publicUrl(key: string): string;
  /** The key behind one of this storage's public URLs; null for any other URL. */
  keyOf(url: string): string | null;
}

export interface UploadRequest {
  key: string;
  contentType: string;
  /** The file's exact size in bytes: storage refuses any other. */
  byteSize: number;
  expiresInSeconds: number;
}

export interface PresignedUpload {
  url: string;
  fields: Record<string, string>;
  expiresAt: Date;
}

export interface StoredObject {
  size: number;
  contentType: string | null;
}

export interface WriteOptions {
  contentType: string;
  cacheControl: string;
}

/** An object bigger than a read allows. */
export class ObjectTooLargeError extends Error {
  constructor(
    readonly key: string,
    readonly size: number,
    readonly maxBytes: number,
  ) {
    super(`object ${key} is ${size} bytes, over the ${maxBytes} allowed`);
    this.name = 'ObjectTooLargeError';
  }
}

/** Keys are made by the services, never by clients; this is what they may look like. */
const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i;
const MAX_KEY_LENGTH = 512;

/** Whether a key is safe as an S3 key and as a relative path (no `..`, no leading `/`, no odd characters). */
export function isValidObjectKey(key: string): boolean {
  return key.length <= MAX_KEY_LENGTH && KEY_PATTERN.test(key) && !key.split('/').some((part) => part === '.' || part === '..');
}

/** Throws on a key that `isValidObjectKey` refuses: a programming error, never user input. */
export function assertValidObjectKey(key: string): void {
  if (!isValidObjectKey(key)) throw new Error(`not a valid object key: ${JSON.stringify(key).slice(0, 80)}`);
}

/** For renditions: their key names their content, so they never change and may be cached for a year. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
