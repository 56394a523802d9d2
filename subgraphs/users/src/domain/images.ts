import { InvalidInputError } from '@chirp/platform';

export type MediaKind = 'AVATAR' | 'BANNER';

/** One stored size of a picture. */
export interface Rendition {
  width: number;
  height: number;
  bytes: Buffer;
  contentType: string;
  /** The file name's ending, without the dot (`webp`). */
  extension: string;
}

/** The picture a client uploaded, as checked from its bytes (never from what the client declared). */
export interface ImageFacts {
  format: 'jpeg' | 'png' | 'webp';
  width: number;
  height: number;
}

/**
 * Decodes uploaded pictures and makes the sizes a client shows. Behind an
 * interface so the rules below stay apart from the library that applies
 * them (`SharpImageProcessor`). Each method throws `ImageRejectedError`,
 * with words for a person, for a file it will not take.
 */
export interface ImageProcessor {
  /** What the bytes are, from the file itself, within `IMAGE_RULES`. */
  inspect(bytes: Buffer): Promise<ImageFacts>;
  /** Each size of `sizes`, cropped to fill it, EXIF orientation applied, every metadata field dropped. */
  render(bytes: Buffer, sizes: readonly RenditionSize[]): Promise<Rendition[]>;
}

export interface RenditionSize {
  width: number;
  height: number;
}

/** Declared content types and the formats they name. */
export const ACCEPTED_CONTENT_TYPES = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' } as const;
export type AcceptedContentType = keyof typeof ACCEPTED_CONTENT_TYPES;

export const IMAGE_RULES = {
  /** A decompression bomb is a small file of huge dimensions: refused from its header, before any pixel is decoded. */
  maxPixels: 40_000_000,
  maxSide: 12_000,
  maxBytes: { AVATAR: 5 * 1024 * 1024, BANNER: 10 * 1024 * 1024 } satisfies Record<MediaKind, number>,
  minSide: { AVATAR: { width: 48, height: 48 }, BANNER: { width: 300, height: 100 } } satisfies Record<MediaKind, RenditionSize>,
  /** What a client shows: square avatars, 3:1 banners. */
  sizes: {
    AVATAR: [
      { width: 48, height: 48 },
      { width: 96, height: 96 },
      { width: 400, height: 400 },
    ],
    BANNER: [
      { width: 600, height: 200 },
      { width: 1500, height: 500 },
    ],
  } satisfies Record<MediaKind, RenditionSize[]>,
  /** The size `avatarUrl` and `bannerUrl` answer without an argument. */
  defaultWidth: { AVATAR: 96, BANNER: 1500 } satisfies Record<MediaKind, number>,
} as const;

/** A file that is not a picture we take; the message says why, for the person who sent it. */
export class ImageRejectedError extends InvalidInputError {
  constructor(message: string) {
    super('uploadId', message);
  }
}

const FORMAT_NAMES: Record<ImageFacts['format'], string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP' };

/** How a format is named to a person. */
export function formatName(format: ImageFacts['format']): string {
  return FORMAT_NAMES[format];
}

/** The sizes worth storing for a picture: those it can fill without enlarging, and always the smallest. */
export function renditionSizesFor(kind: MediaKind, facts: ImageFacts): RenditionSize[] {
  const sizes = IMAGE_RULES.sizes[kind];
  const fitting = sizes.filter((size) => size.width <= facts.width && size.height <= facts.height);
  return fitting.length > 0 ? fitting : sizes.slice(0, 1);
}

/** The checks every picture passes, whatever decodes it: kind-specific bounds on its dimensions. */
export function checkDimensions(kind: MediaKind, facts: ImageFacts): void {
  const min = IMAGE_RULES.minSide[kind];
  const what = kind === 'AVATAR' ? 'An avatar' : 'A banner';
  if (facts.width < min.width || facts.height < min.height) {
    throw new ImageRejectedError(`${what} must be at least ${min.width}×${min.height} pixels; this picture is ${facts.width}×${facts.height}.`);
  }
}
