import sharp, { type Metadata } from 'sharp';
import { IMAGE_RULES, ImageRejectedError, type ImageFacts, type ImageProcessor, type Rendition, type RenditionSize } from '../domain/images.js';

/** WebP at this quality is about a third of a JPEG's size for the same look, and every browser in use shows it. */
const WEBP_QUALITY = 80;

/**
 * Pictures through sharp (libvips, shipped as npm packages): it decodes in
 * libuv's thread pool, so processing an upload does not hold the event
 * loop while other requests wait. The pixel limit is libvips's own, checked
 * from the header before any pixel is decoded.
 */
export class SharpImageProcessor implements ImageProcessor {
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
    try {
      // One decode, shared by every size (clone), with libvips failing on any damage ('warning': truncated files too).
      const source = sharp(bytes, { limitInputPixels: IMAGE_RULES.maxPixels, failOn: 'warning' }).rotate();
      return await Promise.all(
        sizes.map(async ({ width, height }) => ({
          width,
          height,
          bytes: await source.clone().resize(width, height, { fit: 'cover', position: 'centre' }).webp({ quality: WEBP_QUALITY }).toBuffer(),
          contentType: 'image/webp',
          extension: 'webp',
        })),
      );
    } catch {
      throw new ImageRejectedError('The picture could not be read to the end: the file may be damaged or cut short. Upload it again.');
    }
  }
}
