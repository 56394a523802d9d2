import type { ObjectStorage, PictureSize as EventPictureSize } from '@chirp/platform';
import { IMAGE_RULES, type MediaKind } from './images.js';
import type { Picture, User } from './model.js';

const PICTURE_FIELD: Record<MediaKind, 'avatar' | 'banner'> = { AVATAR: 'avatar', BANNER: 'banner' };
const LEGACY_URL_FIELD: Record<MediaKind, 'avatarUrl' | 'bannerUrl'> = { AVATAR: 'avatarUrl', BANNER: 'bannerUrl' };

/** A profile's picture of a kind, and the URL typed in its place before uploads existed. */
export function pictureOf(user: User, kind: MediaKind): Picture | null {
  return user[PICTURE_FIELD[kind]];
}

export function legacyUrlOf(user: User, kind: MediaKind): string | null {
  return user[LEGACY_URL_FIELD[kind]];
}

export const pictureField = (kind: MediaKind) => PICTURE_FIELD[kind];
export const legacyUrlField = (kind: MediaKind) => LEGACY_URL_FIELD[kind];

/** The stored objects of a picture. */
export function keysOf(picture: Picture | null): string[] {
  return picture ? picture.sizes.map((size) => size.key) : [];
}

/** Where clients fetch a profile's pictures: URLs made from stored keys by the storage (a CDN in production). */
export class PictureUrls {
  constructor(private readonly storage: Pick<ObjectStorage, 'publicUrl' | 'keyOf'>) {}

  /** The smallest stored size at least `size` wide (the largest when none is; the kind's default without `size`); null without a picture. */
  url(user: User, kind: MediaKind, size?: number | null): string | null {
    const picture = pictureOf(user, kind);
    if (!picture || picture.sizes.length === 0) return legacyUrlOf(user, kind);
    const wanted = size ?? IMAGE_RULES.defaultWidth[kind];
    const chosen = picture.sizes.find((one) => one.width >= wanted) ?? picture.sizes.at(-1);
    return chosen ? this.storage.publicUrl(chosen.key) : null;
  }

  /** Every stored size with its URL, narrowest first (what events carry); null without an uploaded picture. */
  sizes(user: User, kind: MediaKind): EventPictureSize[] | null {
    const picture = pictureOf(user, kind);
    return picture ? picture.sizes.map(({ width, key }) => ({ width, url: this.storage.publicUrl(key) })) : null;
  }

  /** Whether a URL is one of the profile's current picture's (or the URL typed before uploads, when there is no upload). */
  isCurrent(user: User, kind: MediaKind, url: string): boolean {
    const picture = pictureOf(user, kind);
    if (!picture) return url === legacyUrlOf(user, kind);
    const key = this.storage.keyOf(url);
    return key !== null && picture.sizes.some((size) => size.key === key);
  }
}
