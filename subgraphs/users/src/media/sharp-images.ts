import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { IMAGE_RULES, ImageRejectedError, type ImageFacts, type ImageProcessor, type Rendition, type RenditionSize } from '../domain/images.js';

/** WebP at this quality is about a third of a JPEG's size for the same look, and every browser in use shows it. */
const WEBP_QUALITY = 80;

/**
 * Pictures through sharp (libvips, shipped as npm packages). It decodes in
 * libuv's thread pool, so the event loop is free meanwhile; but a 12
 * megapixel photo still takes a core for a tenth of a second, and libvips
 * would take every core for each picture. So one picture is processed at a
 * time per process (`jobs`), on one libvips thread: uploads wait their turn
 * rather than starve the reads the same process answers. The pixel limit is
 * libvips's own, checked from the header before any pixel is decoded.
 */
export class SharpImageProcessor implements ImageProcessor {
  private readonly queue: Array<() => void> = [];
  private running = 0;

  constructor(private readonly jobs = 1) {
    sharp.concurrency(1); // libvips threads per picture (process-wide: this is the one place that sets it)
  }

  async inspect(bytes: Buffer): Promise<ImageFacts> {
    let metadata: Metadata;
    try {
      metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
    } catch {
      throw new ImageRejectedError('The file is not a picture: upload a JPEG, PNG or WebP image.');
    }
    const { format, width = 0, height = 0, pages = 1 } = metadata;
    if (format !== 'jpeg' && format !== 'png' && format !== 'webp') {
      throw new ImageRejectedError(`The file is ${format ? `a ${format.toUpperCase()} file` : 'not a picture'}: upload a JPEG, PNG or WebP image.`);
    }
    if (pages > 1) throw new ImageRejectedError('Animated pictures are not taken: upload a still JPEG, PNG or WebP image.');
    if (width > IMAGE_RULES.maxSide || height > IMAGE_RULES.maxSide || width * height > IMAGE_RULES.maxPixels) {
      throw new ImageRejectedError(
        `The picture is ${width}×${height} pixels, more than the ${IMAGE_RULES.maxPixels / 1_000_000} megapixels (and ${IMAGE_RULES.maxSide} pixels a side) allowed.`,
      );
    }
    return { format, width, height };
  }

  async render(bytes: Buffer, sizes: readonly RenditionSize[]): Promise<Rendition[]> {
    return this.inTurn(() => this.renderNow(bytes, sizes));
  }

  /**
   * Decodes once, cropped and scaled to the largest size (JPEGs shrink as
   * they load), then makes each size from that: the sizes of a kind share
   * their shape, so the crop is the same.
   */
  private async renderNow(bytes: Buffer, sizes: readonly RenditionSize[]): Promise<Rendition[]> {
    const largest = sizes.reduce((big, size) => (size.width > big.width ? size : big), sizes[0] as RenditionSize);
    let base: { data: Buffer; info: OutputInfo };
    try {
      // libvips fails on any damage ('warning': truncated files too).
      base = await sharp(bytes, { limitInputPixels: IMAGE_RULES.maxPixels, failOn: 'warning' })
        .rotate()
        .resize(largest.width, largest.height, { fit: 'cover', position: 'centre' })
        .raw()
        .toBuffer({ resolveWithObject: true });
    } catch {
      throw new ImageRejectedError('The picture could not be read to the end: the file may be damaged or cut short. Upload it again.');
    }
    const raw = { width: base.info.width, height: base.info.height, channels: base.info.channels };
    return Promise.all(
      sizes.map(async ({ width, height }) => ({
        width,
        height,
        bytes: await sharp(base.data, { raw }).resize(width, height).webp({ quality: WEBP_QUALITY }).toBuffer(),
        contentType: 'image/webp',
        extension: 'webp',
      })),
    );
  }

  /** Runs `work` once fewer than `jobs` others are running; a finished job hands its turn to the next waiting. */
  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.jobs) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running += 1;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
