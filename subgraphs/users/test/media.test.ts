import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {
  DiskObjectStorage,
  ForbiddenError,
  InMemoryEventBus,
  OutboxRelay,
  Topics,
  UNLIMITED,
  createLogger,
  newId,
  type EventEnvelope,
  type UserProfileChangedPayload,
  type Viewer,
} from '@chirp/platform';
import { MediaService } from '../src/domain/media.js';
import { PictureUrls } from '../src/domain/pictures.js';
import { outboxSources } from '../src/events/producers.js';
import { SharpImageProcessor } from '../src/media/sharp-images.js';
import { InMemoryFollowRepository, InMemoryMediaUploadRepository, InMemoryUserRepository } from '../src/repositories/index.js';

const picture = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } });

/** The media rules on in-process adapters: disk storage in a temp dir, Maps, and sharp for real. */
function setUp() {
  let clock = Date.now();
  const now = () => new Date(clock);
  const users = new InMemoryUserRepository();
  const uploads = new InMemoryMediaUploadRepository();
  const storage = new DiskObjectStorage({ dir: mkdtempSync(path.join(os.tmpdir(), 'chirp-media-unit-')), baseUrl: 'http://media.test', signingKey: 'k' });
  const pictures = new PictureUrls(storage);
  const bus = new InMemoryEventBus();
  const logger = createLogger('test', 'silent');
  const relay = new OutboxRelay(bus, outboxSources(users, new InMemoryFollowRepository(), pictures), { sweepIntervalMs: 1000, graceMs: 0 }, logger);
  const media = new MediaService({ uploads, users, storage, images: new SharpImageProcessor(), pictures, relay, limit: UNLIMITED, logger, newId, now });
  const profiles: Array<EventEnvelope<UserProfileChangedPayload>> = [];
  void bus.subscribe({ group: 'spy', topics: [Topics.userProfiles], handler: async (event) => void profiles.push(event as EventEnvelope<UserProfileChangedPayload>) });
  let n = 0;
  const signUp = async (): Promise<Viewer> => {
    n += 1;
    const user = await users.create({ id: newId(), handle: `u${n}`, email: `u${n}@example.com`, passwordHash: 'x', firstName: 'U', lastName: `${n}`, birthDate: null, createdAt: now() });
    return { id: user.id, handle: user.handle };
  };
  /** What a client does: asks for a form, then sends the file to storage (here straight into the store, as the form's POST would). */
  const upload = async (viewer: Viewer, kind: 'AVATAR' | 'BANNER', bytes: Buffer, contentType = 'image/png', declaredSize = bytes.length) => {
    const made = await media.createUpload(viewer, kind, contentType, declaredSize);
    await storage.write(made.upload.key, bytes, { contentType, cacheControl: 'no-store' });
    return made.upload.id;
  };
  return { media, storage, users, uploads, pictures, bus, profiles, signUp, upload, advance: (ms: number) => void (clock += ms) };
}

describe('MediaService', () => {
  it('makes an uploaded picture the avatar: three sizes, WebP, served from content-named keys', async () => {
    const { media, storage, pictures, signUp, upload, bus, profiles } = setUp();
    const viewer = await signUp();
    const user = await media.setPicture(viewer, 'AVATAR', await upload(viewer, 'AVATAR', await picture(800, 600).png().toBuffer()));
    expect(user.avatar?.sizes.map(({ width, height }) => [width, height])).toEqual([[48, 48], [96, 96], [400, 400]]);
    for (const size of user.avatar?.sizes ?? []) {
      expect(size.key).toMatch(new RegExp(`^avatars/${viewer.id}/[0-9a-f]{32}-${size.width}x${size.height}\\.webp$`));
      expect(await storage.head(size.key)).toMatchObject({ contentType: 'image/webp' });
    }
    expect(pictures.url(user, 'AVATAR')).toBe(storage.publicUrl(user.avatar?.sizes[1]?.key ?? ''));
    expect(pictures.url(user, 'AVATAR', 100)).toBe(storage.publicUrl(user.avatar?.sizes[2]?.key ?? ''));
    expect(pictures.url(user, 'AVATAR', 2000)).toBe(storage.publicUrl(user.avatar?.sizes[2]?.key ?? ''));
    expect(pictures.url(user, 'BANNER')).toBeNull();
    await bus.drain();
    expect(profiles.at(-1)?.payload).toMatchObject({ avatarUrl: pictures.url(user, 'AVATAR'), avatarSizes: pictures.sizes(user, 'AVATAR') });
  });

  it('replaces a picture, deleting the old one and the raw upload', async () => {
    const { media, storage, signUp, upload, uploads } = setUp();
    const viewer = await signUp();
    const firstId = await upload(viewer, 'BANNER', await picture(1600, 600).jpeg().toBuffer(), 'image/jpeg');
    const first = await media.setPicture(viewer, 'BANNER', firstId);
    const second = await media.setPicture(viewer, 'BANNER', await upload(viewer, 'BANNER', await picture(900, 300).negate().png().toBuffer()));
    expect(second.banner?.sizes.map((size) => size.width)).toEqual([600]); // 1500 would enlarge it
    for (const size of first.banner?.sizes ?? []) expect(await storage.head(size.key)).toBeNull();
    expect(await storage.head((await uploads.findById(firstId))?.key ?? '')).toBeNull();
    expect(await uploads.findById(firstId)).toMatchObject({ state: 'used', replacedKeys: [] });
  });

  it('waits for the file: setting before uploading says so, and works once it is there', async () => {
    const { media, storage, signUp } = setUp();
    const viewer = await signUp();
    const { upload } = await media.createUpload(viewer, 'AVATAR', 'image/png', 1234);
    await expect(media.setPicture(viewer, 'AVATAR', upload.id)).rejects.toThrow(/No file has been uploaded/);
    const bytes = await picture(100, 100).png().toBuffer();
    const retry = await media.createUpload(viewer, 'AVATAR', 'image/png', bytes.length);
    await storage.write(retry.upload.key, bytes, { contentType: 'image/png', cacheControl: 'no-store' });
    await expect(media.setPicture(viewer, 'AVATAR', retry.upload.id)).resolves.toMatchObject({ avatar: expect.anything() });
  });

  it('refuses bad files with words for a person, spends the upload, and keeps the previous picture', async () => {
    const { media, storage, signUp, upload, uploads, users } = setUp();
    const viewer = await signUp();
    const kept = await media.setPicture(viewer, 'AVATAR', await upload(viewer, 'AVATAR', await picture(200, 200).png().toBuffer()));
    const png = await picture(200, 200).png().toBuffer();
    const cases: Array<[Promise<string>, RegExp]> = [
      [upload(viewer, 'AVATAR', Buffer.from('<svg onload="alert(1)"/>'), 'image/png'), /not a picture/],
      [upload(viewer, 'AVATAR', await picture(200, 200).jpeg().toBuffer(), 'image/png'), /JPEG image, but it was declared as image\/png/],
      [upload(viewer, 'AVATAR', await picture(40, 40).png().toBuffer()), /at least 48×48 pixels; this picture is 40×40/],
      [upload(viewer, 'AVATAR', png, 'image/png', png.length + 10), /is \d+ bytes, but \d+ were declared/],
      [upload(viewer, 'AVATAR', png.subarray(0, png.length - 40)), /damaged or cut short|not a picture/],
    ];
    for (const [uploaded, message] of cases) {
      const uploadId = await uploaded;
      await expect(media.setPicture(viewer, 'AVATAR', uploadId)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'uploadId', message: expect.stringMatching(message) });
      const spent = await uploads.findById(uploadId);
      expect(spent?.state).toBe('failed');
      expect(await storage.head(spent?.key ?? '')).toBeNull();
      await expect(media.setPicture(viewer, 'AVATAR', uploadId)).rejects.toThrow(/refused or has expired/);
    }
    expect((await users.findById(viewer.id))?.avatar).toEqual(kept.avatar);
  });

  it('refuses an upload used twice, made for the other kind, expired, or someone else’s', async () => {
    const { media, signUp, upload, advance } = setUp();
    const [viewer, stranger] = [await signUp(), await signUp()];
    const png = await picture(400, 400).png().toBuffer();
    const used = await upload(viewer, 'AVATAR', png);
    await media.setPicture(viewer, 'AVATAR', used);
    await expect(media.setPicture(viewer, 'AVATAR', used)).rejects.toThrow(/already been used/);
    await expect(media.setPicture(viewer, 'BANNER', await upload(viewer, 'AVATAR', png))).rejects.toThrow('This upload was made for an avatar: use it with setAvatar.');
    await expect(media.setPicture(stranger, 'AVATAR', await upload(viewer, 'AVATAR', png))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(media.setPicture(viewer, 'AVATAR', 'no-such-upload')).rejects.toThrow(/no such upload/);
    const late = await upload(viewer, 'AVATAR', png);
    advance(16 * 60 * 1000);
    await expect(media.setPicture(viewer, 'AVATAR', late)).rejects.toThrow(/expired/);
  });

  it('checks what a form is asked for before making one', async () => {
    const { media, signUp } = setUp();
    const viewer = await signUp();
    await expect(media.createUpload(null, 'AVATAR', 'image/png', 10)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(media.createUpload(viewer, 'AVATAR', 'text/html', 10)).rejects.toMatchObject({ field: 'contentType' });
    await expect(media.createUpload(viewer, 'AVATAR', 'image/png', 0)).rejects.toMatchObject({ field: 'byteSize' });
    await expect(media.createUpload(viewer, 'AVATAR', 'image/png', 5 * 1024 * 1024 + 1)).rejects.toThrow(/1 byte to 5 MB/);
    const { form } = await media.createUpload(viewer, 'BANNER', ' IMAGE/PNG ', 10 * 1024 * 1024);
    expect(form.fields).toMatchObject({ 'Content-Type': 'image/png' });
  });

  it('takes only null or the current picture’s URL through the deprecated profile fields', async () => {
    const { media, signUp, upload, pictures, storage } = setUp();
    const viewer = await signUp();
    const user = await media.setPicture(viewer, 'AVATAR', await upload(viewer, 'AVATAR', await picture(100, 100).png().toBuffer()));
    expect(media.legacyUrlChanges(user, { avatarUrl: pictures.url(user, 'AVATAR', 48) })).toEqual({ changes: {}, garbage: [] });
    expect(() => media.legacyUrlChanges(user, { avatarUrl: 'https://evil.example/a.png' })).toThrow(/uploaded, not linked: call createMediaUpload/);
    expect(() => media.legacyUrlChanges(user, { bannerUrl: 'x'.repeat(3000) })).toThrow(/at most 2048 characters/);
    const removal = media.legacyUrlChanges(user, { avatarUrl: null });
    expect(removal.changes).toEqual({ avatar: null, avatarUrl: null });
    expect(removal.garbage.sort()).toEqual(user.avatar?.sizes.map((size) => size.key).sort());
    const removed = await media.removePicture(viewer, 'AVATAR');
    expect(pictures.url(removed, 'AVATAR')).toBeNull();
    for (const key of removal.garbage) expect(await storage.head(key)).toBeNull();
  });

  it('sweeps what a crash leaves: sizes made but never taken, and forms never used', async () => {
    const { media, storage, signUp, upload, users, uploads, advance } = setUp();
    const viewer = await signUp();
    const uploadId = await upload(viewer, 'AVATAR', await picture(120, 120).png().toBuffer());
    const updateProfile = users.updateProfile.bind(users);
    users.updateProfile = async () => {
      throw new Error('the process died here');
    };
    await expect(media.setPicture(viewer, 'AVATAR', uploadId)).rejects.toThrow('the process died here');
    users.updateProfile = updateProfile;
    const crashed = await uploads.findById(uploadId);
    expect(crashed?.state).toBe('processing');
    expect(crashed?.madeKeys).toHaveLength(2);
    for (const key of crashed?.madeKeys ?? []) expect(await storage.head(key)).not.toBeNull();
    const unused = (await media.createUpload(viewer, 'AVATAR', 'image/png', 10)).upload;
    expect(await media.sweep()).toBe(0); // too soon: it may still be running
    advance(16 * 60 * 1000);
    expect(await media.sweep()).toBe(2);
    for (const key of [...(crashed?.madeKeys ?? []), crashed?.key ?? '']) expect(await storage.head(key)).toBeNull();
    expect(await uploads.findById(uploadId)).toMatchObject({ state: 'failed' });
    expect(await uploads.findById(unused.id)).toMatchObject({ state: 'failed' });
    expect((await users.findById(viewer.id))?.avatar).toBeNull();
    expect(await media.sweep()).toBe(0);
  });
});
