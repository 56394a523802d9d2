import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MAX_UPLOAD_FORM_BYTES, createDiskMediaRoutes, createLogger, DiskObjectStorage, S3ObjectStorage } from '@chirp/platform';
import { describeObjectStorageContract, postUploadForm, realS3, uniqueBucket } from '@chirp/testing';

/** The disk adapter behind the gateway's media routes on a loopback port, as `npm start` serves it. */
describe('on disk, served over HTTP', () => {
  let dir: string;
  let server: http.Server;
  let storage: DiskObjectStorage;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'chirp-media-test-'));
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    storage = new DiskObjectStorage({ dir, baseUrl, signingKey: 'test-signing-key' });
    const routes = createDiskMediaRoutes(storage, createLogger('test', 'silent'));
    server.on('request', (request, response) => {
      void routes(request, response).then((served) => {
        if (!served) response.writeHead(404).end();
      });
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  describeObjectStorageContract('disk', async () => storage, { enforcesUploadSize: true });

  it('serves a stored rendition with the headers a CDN would, and never a raw upload', async () => {
    await storage.write('avatars/abc-48.webp', Buffer.from('webp'), { contentType: 'image/webp', cacheControl: 'public, max-age=31536000, immutable' });
    const served = await fetch(storage.publicUrl('avatars/abc-48.webp'));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await served.text()).toBe('webp');
    await storage.write('incoming/u/1', Buffer.from('raw'), { contentType: 'image/png', cacheControl: 'no-store' });
    expect((await fetch(storage.publicUrl('incoming/u/1'))).status).toBe(404);
    expect((await fetch(storage.publicUrl('../../etc/passwd'))).status).toBe(404);
    expect((await fetch(`${storage.publicUrl('avatars')}/%2e%2e/%2e%2e/x`)).status).toBe(404);
  });

  it('refuses a forged, altered or expired upload form', async () => {
    const file = Buffer.from('1234');
    const upload = await storage.presignUpload({ key: 'incoming/u/2', contentType: 'image/png', byteSize: 4, expiresInSeconds: 60 });
    const forged = { ...upload, fields: { ...upload.fields, signature: 'x'.repeat(43) } };
    expect((await postUploadForm(forged, file, 'image/png')).status).toBe(403);
    const otherKey = { ...upload, fields: { ...upload.fields, key: 'avatars/mine.webp' } };
    expect((await postUploadForm(otherKey, file, 'image/png')).status).toBe(403);
    const otherType = { ...upload, fields: { ...upload.fields, 'Content-Type': 'text/html' } };
    expect((await postUploadForm(otherType, file, 'text/html')).status).toBe(403);
    const expired = await storage.presignUpload({ key: 'incoming/u/3', contentType: 'image/png', byteSize: 4, expiresInSeconds: -1 });
    expect((await postUploadForm(expired, file, 'image/png')).status).toBe(403);
    expect(await storage.head('incoming/u/2')).toBeNull();
    expect(await storage.head('avatars/mine.webp')).toBeNull();
  });

  it('refuses a form announced larger than any upload from its header, before reading a byte of it', async () => {
    const target = new URL(storage.publicUrl('x').replace(/\/media\/x$/, '/media'));
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
          headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(MAX_UPLOAD_FORM_BYTES + 1) } },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      request.flushHeaders(); // the 16 MB are never sent
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'EntityTooLarge' } });
  });

  it('refuses what is not a multipart form', async () => {
    const answer = await fetch(`${storage.publicUrl('x').replace(/\/media\/x$/, '')}/media`, { method: 'POST', body: 'plain', headers: { 'content-type': 'text/plain' } });
    expect(answer.status).toBe(400);
    expect((await answer.json()) as unknown).toEqual({ error: { code: 'InvalidRequest', message: expect.stringContaining('multipart/form-data') } });
  });
});

describe('on S3 (moto)', () => {
  describeObjectStorageContract(
    'S3',
    async () => {
      const { endpoint, region } = realS3();
      const bucket = uniqueBucket('contract');
      const storage = new S3ObjectStorage({ bucket, region, endpoint, publicBaseUrl: `${endpoint}/${bucket}` });
      await storage.ensureBucket();
      return storage;
    },
    { enforcesUploadSize: false },
  );
});
