import { ObjectTooLargeError, type ObjectStorage, type PresignedUpload } from '@chirp/platform';
import { uniqueName } from './servers.js';

/** Posts an upload form as a browser does: multipart/form-data, every field of the form, then the file. */
export async function postUploadForm(upload: PresignedUpload, file: Uint8Array, contentType: string): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(file)], { type: contentType }), 'picture');
  return fetch(upload.url, { method: 'POST', body: form, signal: AbortSignal.timeout(15_000) });
}

export interface StorageContractOptions {
  /** Whether the store itself refuses a file of another size than the form names (S3 does; moto does not). */
  enforcesUploadSize: boolean;
}

/**
 * What every ObjectStorage must do, on disk and on S3 alike. `create` gives
 * a store with nothing in it.
 */
export function describeObjectStorageContract(name: string, create: () => Promise<ObjectStorage>, options: StorageContractOptions): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    let storage: ObjectStorage;
    beforeAll(async () => {
      storage = await create();
    });
    const key = (prefix = 'contract') => `${prefix}/${uniqueName('o').toLowerCase()}`;
    const bytes = (text: string) => Buffer.from(text, 'utf8');

    it('has nothing under a key never written', async () => {
      const missing = key();
      expect(await storage.head(missing)).toBeNull();
      expect(await storage.read(missing, 100)).toBeNull();
    });

    it('stores an object and gives it back, with its size and content type', async () => {
      const written = key();
      await storage.write(written, bytes('hello'), { contentType: 'image/webp', cacheControl: 'public, max-age=60' });
      expect(await storage.head(written)).toEqual({ size: 5, contentType: 'image/webp' });
      expect((await storage.read(written, 5))?.toString('utf8')).toBe('hello');
    });

    it('refuses to read an object larger than asked, without reading it', async () => {
      const written = key();
      await storage.write(written, bytes('0123456789'), { contentType: 'image/png', cacheControl: 'no-store' });
      await expect(storage.read(written, 9)).rejects.toBeInstanceOf(ObjectTooLargeError);
    });

    it('deletes objects, and a key with no object is no error', async () => {
      const [one, two] = [key(), key()];
      await storage.write(one, bytes('1'), { contentType: 'image/png', cacheControl: 'no-store' });
      await storage.delete([one, two]);
      expect(await storage.head(one)).toBeNull();
    });

    it('names its public URLs, and knows the key behind them (and no other)', () => {
      const written = key();
      const url = storage.publicUrl(written);
      expect(url).toMatch(/^https?:\/\//);
      expect(storage.keyOf(url)).toBe(written);
      expect(storage.keyOf(`https://elsewhere.example/${written}`)).toBeNull();
    });

    it('lists the keys under a prefix written before a time', async () => {
      const prefix = `${key('listing')}/`;
      const [a, b] = [`${prefix}a`, `${prefix}b`];
      for (const one of [a, b]) await storage.write(one, bytes('x'), { contentType: 'image/png', cacheControl: 'no-store' });
      expect((await storage.listOlderThan(prefix, new Date(Date.now() + 60_000), 10)).sort()).toEqual([a, b]);
      expect(await storage.listOlderThan(prefix, new Date(Date.now() - 60_000), 10)).toEqual([]);
      expect(await storage.listOlderThan(prefix, new Date(Date.now() + 60_000), 1)).toHaveLength(1);
    });

    it('takes an upload posted with its presigned form, as a browser sends it', async () => {
      const target = key('incoming');
      const file = bytes('not really a png, but storage does not look');
      const upload = await storage.presignUpload({ key: target, contentType: 'image/png', byteSize: file.length, expiresInSeconds: 60 });
      expect(upload.expiresAt.getTime()).toBeGreaterThan(Date.now());
      const answer = await postUploadForm(upload, file, 'image/png');
      expect(answer.status).toBeLessThan(300);
      expect(await storage.head(target)).toEqual({ size: file.length, contentType: 'image/png' });
    });

    if (options.enforcesUploadSize) {
      it('refuses an upload of another size than its form names, and stores nothing', async () => {
        const target = key('incoming');
        const upload = await storage.presignUpload({ key: target, contentType: 'image/png', byteSize: 10, expiresInSeconds: 60 });
        expect((await postUploadForm(upload, bytes('eleven char'), 'image/png')).status).toBeGreaterThanOrEqual(400);
        expect((await postUploadForm(upload, bytes('nine char'), 'image/png')).status).toBeGreaterThanOrEqual(400);
        expect(await storage.head(target)).toBeNull();
      });
    }
  });
}
