import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ObjectTooLargeError,
  assertValidObjectKey,
  isValidObjectKey,
  type ObjectStorage,
  type PresignedUpload,
  type StoredObject,
  type UploadRequest,
  type WriteOptions,
} from './storage.js';

export interface DiskStorageSettings {
  /** Where objects live: `<dir>/objects/<key>`, their content type and caching in `<dir>/meta/<key>.json`. */
  dir: string;
  /** The gateway's public origin: objects are served at `<baseUrl>/media/<key>`, uploads posted to `<baseUrl>/media`. */
  baseUrl: string;
  /** Signs upload policies (HMAC-SHA256); every process serving the same directory must share it. */
  signingKey: string;
}

/** What a disk upload form's `policy` field carries, signed. */
export interface DiskUploadPolicy {
  key: string;
  contentType: string;
  byteSize: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

interface ObjectMeta {
  contentType: string;
  cacheControl: string;
}

/** The path under `/media/` where uploads are posted (as to an S3 bucket's URL). */
export const DISK_UPLOAD_PATH = '/media';
/** Raw uploads live under this prefix, and are never served back. */
export const INCOMING_PREFIX = 'incoming/';

/**
 * Media in a local directory: the embedded default, so `npm start` runs the
 * whole upload flow with no cloud account. Its presigned uploads are forms
 * like S3's (a signed policy naming the key, content type, size and
 * expiry); the gateway process receives them and serves the files
 * (`createMediaRoutes`). Writes go to a temporary file renamed into place,
 * so a reader never sees half an object.
 */
export class DiskObjectStorage implements ObjectStorage {
  constructor(private readonly settings: DiskStorageSettings) {}

  async presignUpload({ key, contentType, byteSize, expiresInSeconds }: UploadRequest): Promise<PresignedUpload> {
    assertValidObjectKey(key);
    const expiresAt = new Date(Date.now() + expiresInSeconds * 1000);
    const policy = Buffer.from(JSON.stringify({ key, contentType, byteSize, expiresAt: expiresAt.getTime() } satisfies DiskUploadPolicy)).toString(
      'base64url',
    );
    return {
      url: `${this.settings.baseUrl}${DISK_UPLOAD_PATH}`,
      fields: { key, 'Content-Type': contentType, policy, signature: this.sign(policy) },
      expiresAt,
    };
  }

  /** The policy a form carries, when its signature is ours; null otherwise (forged, or cut short). */
  verifyPolicy(policy: string, signature: string): DiskUploadPolicy | null {
    const expected = Buffer.from(this.sign(policy));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const parsed = JSON.parse(Buffer.from(policy, 'base64url').toString('utf8')) as DiskUploadPolicy;
      return isValidObjectKey(parsed.key) ? parsed : null;
    } catch {
      return null;
    }
  }

  async head(key: string): Promise<StoredObject | null> {
    assertValidObjectKey(key);
    const stats = await fs.stat(this.objectPath(key)).catch(ignoreMissing);
    if (!stats?.isFile()) return null;
    const meta = await this.meta(key);
    return { size: stats.size, contentType: meta?.contentType ?? null };
  }

  async read(key: string, maxBytes: number): Promise<Buffer | null> {
    const found = await this.head(key);
    if (!found) return null;
    if (found.size > maxBytes) throw new ObjectTooLargeError(key, found.size, maxBytes);
    return fs.readFile(this.objectPath(key)).catch(ignoreMissing);
  }

  async write(key: string, body: Buffer, options: WriteOptions): Promise<void> {
    assertValidObjectKey(key);
    await this.writeMeta(key, options);
    await this.replaceAtomically(this.objectPath(key), (temporary) => fs.writeFile(temporary, body));
  }

  /**
   * Stores an upload from a stream, refusing it (nothing stored) unless it
   * is exactly `byteSize` bytes; used by the upload route.
   */
  async receive(policy: DiskUploadPolicy, stream: NodeJS.ReadableStream): Promise<'stored' | 'wrong-size'> {
    assertValidObjectKey(policy.key);
    let size = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(size > policy.byteSize ? new ObjectTooLargeError(policy.key, size, policy.byteSize) : null, chunk);
      },
    });
    const target = this.objectPath(policy.key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.part`;
    try {
      await pipeline(stream, counted, createWriteStream(temporary));
      if (size !== policy.byteSize) return 'wrong-size';
      await this.writeMeta(policy.key, { contentType: policy.contentType, cacheControl: 'private, no-store' });
      await fs.rename(temporary, target);
      return 'stored';
    } catch (error) {
      if (error instanceof ObjectTooLargeError) return 'wrong-size';
      throw error;
    } finally {
      await fs.rm(temporary, { force: true });
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    keys.forEach(assertValidObjectKey);
    await Promise.all(keys.flatMap((key) => [fs.rm(this.objectPath(key), { force: true }), fs.rm(this.metaPath(key), { force: true })]));
  }

  async listOlderThan(prefix: string, before: Date, limit: number): Promise<string[]> {
    const root = path.join(this.settings.dir, 'objects');
    // Walk only the deepest directory the prefix names.
    const directory = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
    const keys: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      const entries = await fs.readdir(path.join(root, relative), { withFileTypes: true }).catch(ignoreMissing);
      for (const entry of entries ?? []) {
        if (keys.length >= limit) return;
        const key = relative + entry.name;
        if (entry.isDirectory()) await walk(`${key}/`);
        else if (!entry.name.endsWith('.part') && key.startsWith(prefix)) {
          const stats = await fs.stat(path.join(root, key)).catch(ignoreMissing);
          if (stats && stats.mtime < before) keys.push(key);
        }
      }
    };
    await walk(directory);
    return keys;
  }

  publicUrl(key: string): string {
    return `${this.settings.baseUrl}/media/${key}`;
  }

  keyOf(url: string): string | null {
    const prefix = `${this.settings.baseUrl}/media/`;
    return url.startsWith(prefix) ? url.slice(prefix.length) : null;
  }

  /** Where a served object is, with its headers; null when missing or not servable (raw uploads never are). */
  async servable(key: string): Promise<{ file: string; size: number; meta: ObjectMeta } | null> {
    if (!isValidObjectKey(key) || key.startsWith(INCOMING_PREFIX)) return null;
    const stats = await fs.stat(this.objectPath(key)).catch(ignoreMissing);
    const meta = await this.meta(key);
    return stats?.isFile() && meta ? { file: this.objectPath(key), size: stats.size, meta } : null;
  }

  private sign(policy: string): string {
    return createHmac('sha256', this.settings.signingKey).update(policy).digest('base64url');
  }

  private objectPath(key: string): string {
    return path.join(this.settings.dir, 'objects', key);
  }

  private metaPath(key: string): string {
    return path.join(this.settings.dir, 'meta', `${key}.json`);
  }

  private async meta(key: string): Promise<ObjectMeta | null> {
    const text = await fs.readFile(this.metaPath(key), 'utf8').catch(ignoreMissing);
    return text ? (JSON.parse(text) as ObjectMeta) : null;
  }

  private async writeMeta(key: string, { contentType, cacheControl }: WriteOptions): Promise<void> {
    await this.replaceAtomically(this.metaPath(key), (temporary) => fs.writeFile(temporary, JSON.stringify({ contentType, cacheControl })));
  }

  private async replaceAtomically(target: string, write: (temporary: string) => Promise<void>): Promise<void> {
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.part`;
    try {
      await write(temporary);
      await fs.rename(temporary, target);
    } finally {
      await fs.rm(temporary, { force: true });
    }
  }
}

function ignoreMissing(error: unknown): null {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
  throw error;
}
