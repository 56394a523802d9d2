import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { IMAGE_RULES, ImageRejectedError, renditionSizesFor } from '../src/domain/images.js';
import { createLogger } from '@chirp/platform';
import { SharpImageProcessor } from '../src/media/sharp-images.js';
import { WorkerImageProcessor } from '../src/media/worker-images.js';

/** A picture made here, so the tests need no fixture files. */
const picture = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } });

/** A PNG that says `width`×`height` and holds one row of pixels: a decompression bomb's header, without the bomb. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // truecolour
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))), chunk('IEND', Buffer.alloc(0))]);
}

describe('SharpImageProcessor', () => {
  const images = new SharpImageProcessor();

  it('tells the format and dimensions from the bytes', async () => {
    expect(await images.inspect(await picture(640, 480).jpeg().toBuffer())).toEqual({ format: 'jpeg', width: 640, height: 480 });
    expect(await images.inspect(await picture(200, 100).png().toBuffer())).toEqual({ format: 'png', width: 200, height: 100 });
    expect(await images.inspect(await picture(50, 60).webp().toBuffer())).toEqual({ format: 'webp', width: 50, height: 60 });
  });

  it('makes every size as WebP, cropped to fill it, with no metadata left (no EXIF, so no GPS)', async () => {
    const withGps = await picture(800, 600)
      .withExif({ IFD0: { Copyright: 'me' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
      .jpeg()
      .toBuffer();
    expect((await sharp(withGps).metadata()).exif).toBeDefined();
    const renditions = await images.render(withGps, IMAGE_RULES.sizes.AVATAR);
    expect(renditions.map(({ width, height, contentType }) => [width, height, contentType])).toEqual([
      [48, 48, 'image/webp'],
      [96, 96, 'image/webp'],
      [400, 400, 'image/webp'],
    ]);
    for (const rendition of renditions) {
      const stored = await sharp(rendition.bytes).metadata();
      expect([stored.format, stored.width, stored.height, stored.exif, stored.icc, stored.xmp]).toEqual(['webp', rendition.width, rendition.height, undefined, undefined, undefined]);
    }
  });

  it('refuses what is not a picture, or not one it takes', async () => {
    await expect(images.inspect(Buffer.from('<html><script>alert(1)</script></html>'))).rejects.toThrow(/not a picture/);
    await expect(images.inspect(await picture(64, 64).gif().toBuffer())).rejects.toThrow(/GIF file/);
    await expect(images.inspect(await picture(64, 64).tiff().toBuffer())).rejects.toThrow(/TIFF file/);
  });

  it('refuses animated pictures', async () => {
    const frames = await Promise.all([picture(64, 64).png().toBuffer(), picture(64, 64).negate().png().toBuffer()]);
    const animated = await sharp(frames, { join: { animated: true } }).webp().toBuffer();
    await expect(images.inspect(animated)).rejects.toThrow(/Animated/);
  });

  it('refuses a decompression bomb from its header, before decoding a pixel', async () => {
    const started = performance.now();
    await expect(images.inspect(pngHeaderOnly(30_000, 30_000))).rejects.toThrow(/30000×30000 pixels, more than the 40 megapixels/);
    await expect(images.inspect(pngHeaderOnly(20_000, 10))).rejects.toThrow(ImageRejectedError);
    expect(performance.now() - started).toBeLessThan(1000); // a decode of 900 megapixels would take minutes and gigabytes
  });

  it('refuses a file cut short', async () => {
    const whole = await picture(1200, 900).jpeg({ quality: 95 }).toBuffer();
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    await expect(images.render(cut, IMAGE_RULES.sizes.AVATAR)).rejects.toThrow(/damaged or cut short/);
  });

  it('keeps only a picture from a polyglot: a real PNG with a script after it', async () => {
    const polyglot = Buffer.concat([await picture(120, 120).png().toBuffer(), Buffer.from('<script>alert(document.cookie)</script>')]);
    const facts = await images.inspect(polyglot);
    expect(facts.format).toBe('png');
    const renditions = await images.render(polyglot, renditionSizesFor('AVATAR', facts));
    expect(renditions.map((r) => r.width)).toEqual([48, 96]); // 400 would enlarge it
    for (const rendition of renditions) expect(rendition.bytes.includes('script')).toBe(false);
  });
});

describe('WorkerImageProcessor', () => {
  const images = new WorkerImageProcessor(createLogger('test', 'silent'));
  afterAll(() => images.close());

  it('does what the in-process one does, in a child process at a lower priority', async () => {
    const bytes = await picture(800, 600).jpeg().toBuffer();
    expect(await images.inspect(bytes)).toEqual({ format: 'jpeg', width: 800, height: 600 });
    const renditions = await images.render(bytes, IMAGE_RULES.sizes.AVATAR);
    expect(renditions.map((r) => [r.width, r.height, r.contentType])).toEqual([[48, 48, 'image/webp'], [96, 96, 'image/webp'], [400, 400, 'image/webp']]);
    expect(Buffer.isBuffer(renditions[0]?.bytes)).toBe(true);
    expect((await sharp(renditions[2]?.bytes).metadata()).width).toBe(400);
  });

  it('passes refusals on as refusals, and starts again after its process dies', async () => {
    await expect(images.inspect(Buffer.from('not a picture'))).rejects.toBeInstanceOf(ImageRejectedError);
    (images as unknown as { worker?: { kill(): void } }).worker?.kill();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await images.inspect(await picture(64, 64).png().toBuffer())).toMatchObject({ format: 'png' });
  });
});
