import sharp from 'sharp';
import { eventually, inMemoryEnvironment, isolatedEnvironment, postUploadForm, realS3, uniqueBucket, type Account } from '@chirp/testing';
import { useStack } from './support.js';

/**
 * Avatars and banners through the gateway, as a front end does it: ask for
 * an upload form, POST the file to storage as multipart/form-data, confirm,
 * then fetch every size over HTTP. On the embedded default (the gateway
 * receives and serves the files from disk) and on the real servers with S3
 * (moto on loopback).
 */
const CREATE_UPLOAD = `mutation Upload($kind: MediaKind!, $type: String!, $size: Int!) {
  createMediaUpload(kind: $kind, contentType: $type, byteSize: $size) { id url fields { name value } maxBytes expiresAt }
}`;
const SET_AVATAR = `mutation Set($id: ID!) { setAvatar(uploadId: $id) { id avatarUrl small: avatarUrl(size: 48) large: avatarUrl(size: 400) } }`;
const SET_BANNER = `mutation Set($id: ID!) { setBanner(uploadId: $id) { id bannerUrl narrow: bannerUrl(size: 600) } }`;
const REMOVE_AVATAR = `mutation { removeAvatar { id avatarUrl } }`;
const UPDATE_PROFILE = `mutation Update($input: UpdateProfileInput!) { updateProfile(input: $input) { id avatarUrl } }`;
const HOME = `{ homeTimeline(first: 5) { edges { node { id author { handle avatarUrl large: avatarUrl(size: 400) } } } } }`;

const picture = (width: number, height: number, seed = 0) =>
  sharp({ create: { width, height, channels: 3, background: { r: (seed * 70) % 255, g: 90, b: 160 } } });

interface Form {
  id: string;
  url: string;
  fields: Array<{ name: string; value: string }>;
  maxBytes: number;
  expiresAt: string;
}

function describeMedia(name: string, environment: () => NodeJS.ProcessEnv, fetchOptions: RequestInit = {}) {
  describe(`pictures (${name})`, () => {
    const chirp = useStack({}, environment);
    const fetchFile = (url: string) => fetch(url, fetchOptions);

    /** createMediaUpload, then the file posted with its form, as a browser's FormData would send it. */
    async function uploadFile(account: Account, kind: 'AVATAR' | 'BANNER', bytes: Buffer, type: string): Promise<Form> {
      const { createMediaUpload: form } = await account.client.data<{ createMediaUpload: Form }>(CREATE_UPLOAD, { kind, type, size: bytes.length });
      const answer = await postUploadForm({ url: form.url, fields: Object.fromEntries(form.fields.map((f) => [f.name, f.value])), expiresAt: new Date(form.expiresAt) }, bytes, type);
      expect(answer.status).toBeLessThan(300);
      return form;
    }

    async function dimensionsAt(url: string): Promise<[string | undefined, number | undefined, number | undefined, string | null]> {
      const answer = await fetchFile(url);
      expect(answer.status).toBe(200);
      const bytes = Buffer.from(await answer.arrayBuffer());
      const { format, width, height } = await sharp(bytes).metadata();
      return [format, width, height, answer.headers.get('content-type')];
    }

    it('uploads an avatar, serves every size, shows it on timelines, and replaces it', async () => {
      const account = await chirp.signUp();
      const form = await uploadFile(account, 'AVATAR', await picture(1200, 900).jpeg().toBuffer(), 'image/jpeg');
      expect(form.maxBytes).toBeGreaterThan(0);
      const { setAvatar: user } = await account.client.data(SET_AVATAR, { id: form.id });
      expect(await dimensionsAt(user.small)).toEqual(['webp', 48, 48, 'image/webp']);
      expect(await dimensionsAt(user.avatarUrl)).toEqual(['webp', 96, 96, 'image/webp']);
      expect(await dimensionsAt(user.large)).toEqual(['webp', 400, 400, 'image/webp']);

      // The profile change travels to the timeline's cards: its own avatarUrl, sizes included, with no second fetch.
      await account.client.data(`mutation { postTweet(text: "new face") { id } }`);
      await eventually(async () => {
        const { homeTimeline } = await account.client.data(HOME);
        expect(homeTimeline.edges[0]?.node.author).toEqual({ handle: account.handle, avatarUrl: user.avatarUrl, large: user.large });
      });

      const replaced = await uploadFile(account, 'AVATAR', await picture(500, 500, 1).png().toBuffer(), 'image/png');
      const { setAvatar: next } = await account.client.data(SET_AVATAR, { id: replaced.id });
      expect(next.avatarUrl).not.toBe(user.avatarUrl);
      for (const old of [user.small, user.avatarUrl, user.large]) expect((await fetchFile(old)).status).toBe(404);
      expect(await dimensionsAt(next.large)).toEqual(['webp', 400, 400, 'image/webp']);
    });

    it('uploads a banner in its two sizes', async () => {
      const account = await chirp.signUp();
      const form = await uploadFile(account, 'BANNER', await picture(3000, 1000).webp().toBuffer(), 'image/webp');
      const { setBanner: user } = await account.client.data(SET_BANNER, { id: form.id });
      expect(await dimensionsAt(user.bannerUrl)).toEqual(['webp', 1500, 500, 'image/webp']);
      expect(await dimensionsAt(user.narrow)).toEqual(['webp', 600, 200, 'image/webp']);
    });

    it('refuses bad files and strangers’ uploads clearly, keeping the picture there was', async () => {
      const account = await chirp.signUp();
      const stranger = await chirp.signUp();
      const good = await uploadFile(account, 'AVATAR', await picture(300, 300).png().toBuffer(), 'image/png');
      const { setAvatar: kept } = await account.client.data(SET_AVATAR, { id: good.id });

      const script = await uploadFile(account, 'AVATAR', Buffer.from('<script>alert(document.cookie)</script>'), 'image/png');
      expect(await account.client.error(SET_AVATAR, { id: script.id })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'uploadId', message: expect.stringContaining('not a picture') });
      const theirs = await uploadFile(stranger, 'AVATAR', await picture(100, 100).png().toBuffer(), 'image/png');
      expect(await account.client.error(SET_AVATAR, { id: theirs.id })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await account.client.error(SET_AVATAR, { id: good.id })).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('already been used') });
      expect(await account.client.error(CREATE_UPLOAD, { kind: 'AVATAR', type: 'image/svg+xml', size: 100 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contentType' });
      expect(await account.client.error(CREATE_UPLOAD, { kind: 'AVATAR', type: 'image/png', size: 50_000_000 })).toMatchObject({ field: 'byteSize' });
      expect(await account.client.error(UPDATE_PROFILE, { input: { avatarUrl: 'https://elsewhere.example/me.png' } })).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'avatarUrl',
        message: expect.stringContaining('createMediaUpload'),
      });
      expect((await account.client.data(UPDATE_PROFILE, { input: { avatarUrl: kept.avatarUrl } })).updateProfile.avatarUrl).toBe(kept.avatarUrl);
      expect((await account.client.data('{ me { avatarUrl } }')).me.avatarUrl).toBe(kept.avatarUrl);

      const { removeAvatar } = await account.client.data(REMOVE_AVATAR);
      expect(removeAvatar.avatarUrl).toBeNull();
      expect((await fetchFile(kept.avatarUrl)).status).toBe(404);
    });
  });
}

describeMedia('embedded default: files on disk, served by the gateway', () => inMemoryEnvironment());

// Moto, like S3, answers an unsigned read of a private object with 403; it checks no signature, so any will do.
const MOTO_READ = { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0' } };
describeMedia(
  'real servers, S3 (moto)',
  () => {
    const { endpoint } = realS3();
    return { ...isolatedEnvironment(), MEDIA_STORAGE: 's3', S3_BUCKET: uniqueBucket('media'), S3_ENDPOINT: endpoint };
  },
  MOTO_READ,
);
