import { isUnsettled, type MediaUpload, type UploadState } from '../../domain/media.js';
import type { MediaUploadRepository } from '../types.js';

/** Uploads in a Map, with the same compare-and-set transitions as MongoDB. */
export class InMemoryMediaUploadRepository implements MediaUploadRepository {
  private readonly uploads = new Map<string, MediaUpload>();

  async create(upload: MediaUpload): Promise<void> {
    this.uploads.set(upload.id, structuredClone(upload));
  }

  async findById(id: string): Promise<MediaUpload | null> {
    const upload = this.uploads.get(id);
    return upload ? structuredClone(upload) : null;
  }

  async transition(
    id: string,
    from: UploadState,
    to: UploadState,
    fields: Partial<Pick<MediaUpload, 'madeKeys' | 'replacedKeys'>>,
    at: Date,
  ): Promise<MediaUpload | null> {
    const upload = this.uploads.get(id);
    if (!upload || upload.state !== from) return null;
    Object.assign(upload, structuredClone(fields), { state: to, updatedAt: at });
    return structuredClone(upload);
  }

  async findUnsettled(expiredBefore: Date, stuckBefore: Date, limit: number): Promise<MediaUpload[]> {
    return [...this.uploads.values()]
      .filter((upload) => isUnsettled(upload, expiredBefore, stuckBefore))
      .slice(0, limit)
      .map((upload) => structuredClone(upload));
  }
}
