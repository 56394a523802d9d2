import type { MediaStorageConfig } from '../config.js';
import { DiskObjectStorage } from './disk-storage.js';
import { S3ObjectStorage } from './s3-storage.js';
import type { ObjectStorage } from './storage.js';

export * from './storage.js';
export { DiskObjectStorage, DISK_UPLOAD_PATH, INCOMING_PREFIX, type DiskStorageSettings, type DiskUploadPolicy } from './disk-storage.js';
export { S3ObjectStorage, type S3StorageSettings } from './s3-storage.js';
export { createDiskMediaRoutes, MAX_UPLOAD_FORM_BYTES } from './disk-routes.js';

/** The configured media storage. */
export function createObjectStorage(config: MediaStorageConfig): ObjectStorage {
  return config.kind === 'disk' ? new DiskObjectStorage(config) : new S3ObjectStorage(config);
}
