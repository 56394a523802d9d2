import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import {
  ObjectTooLargeError,
  assertValidObjectKey,
  type ObjectStorage,
  type PresignedUpload,
  type StoredObject,
  type UploadRequest,
  type WriteOptions,
} from './storage.js';

export interface S3StorageSettings {
  bucket: string;
  region: string;
  /** An S3-compatible server instead of AWS (path-style addressing then). */
  endpoint: string | undefined;
  /** Where clients fetch objects: a CDN (CloudFront) in front of the bucket, without a trailing slash. */
  publicBaseUrl: string;
}

/** DeleteObjects takes at most this many keys a call. */
const DELETE_BATCH = 1000;

/**
 * Media in an S3 bucket, through the official AWS SDK v3. Credentials come
 * from the SDK's default chain (environment, instance or task role). The
 * bucket stays private; clients read through `publicBaseUrl`.
 */
export class S3ObjectStorage implements ObjectStorage {
  private readonly client: S3Client;

  constructor(private readonly settings: S3StorageSettings) {
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    });
  }

  async presignUpload({ key, contentType, byteSize, expiresInSeconds }: UploadRequest): Promise<PresignedUpload> {
    assertValidObjectKey(key);
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.settings.bucket,
      Key: key,
      Conditions: [['content-length-range', byteSize, byteSize], ['eq', '$Content-Type', contentType]],
      Fields: { 'Content-Type': contentType },
      Expires: expiresInSeconds,
    });
    return { url, fields, expiresAt: new Date(Date.now() + expiresInSeconds * 1000) };
  }

  async head(key: string): Promise<StoredObject | null> {
    assertValidObjectKey(key);
    try {
      const found = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return { size: found.ContentLength ?? 0, contentType: found.ContentType ?? null };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async read(key: string, maxBytes: number): Promise<Buffer | null> {
    const found = await this.head(key);
    if (!found) return null;
    if (found.size > maxBytes) throw new ObjectTooLargeError(key, found.size, maxBytes);
    try {
      // The range bounds the read even if the object changed since the head.
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key, Range: `bytes=0-${maxBytes}` }));
      const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      if (bytes.length > maxBytes) throw new ObjectTooLargeError(key, bytes.length, maxBytes);
      return bytes;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async write(key: string, body: Buffer, { contentType, cacheControl }: WriteOptions): Promise<void> {
    assertValidObjectKey(key);
    await this.client.send(
      new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: body, ContentType: contentType, CacheControl: cacheControl }),
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    keys.forEach(assertValidObjectKey);
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.settings.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      const failed = (result.Errors ?? []).filter((error) => error.Code !== 'NoSuchKey');
      if (failed.length > 0) throw new Error(`could not delete ${failed.length} object(s), e.g. ${failed[0]?.Key}: ${failed[0]?.Message}`);
    }
  }

  async listOlderThan(prefix: string, before: Date, limit: number): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && object.LastModified && object.LastModified < before) keys.push(object.Key);
        if (keys.length >= limit) return keys;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  publicUrl(key: string): string {
    return `${this.settings.publicBaseUrl}/${key}`;
  }

  keyOf(url: string): string | null {
    const prefix = `${this.settings.publicBaseUrl}/`;
    return url.startsWith(prefix) ? url.slice(prefix.length) : null;
  }

  /** Creates the bucket when missing (tests and local servers; production buckets come from the infrastructure). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket }));
    } catch (error) {
      if (!isMissing(error)) throw error;
      await this.client.send(new CreateBucketCommand({ Bucket: this.settings.bucket }));
    }
  }

  close(): void {
    this.client.destroy();
  }
}

function isMissing(error: unknown): boolean {
  if (error instanceof NotFound || error instanceof NoSuchKey) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404;
}
