import type { Brand } from './brand.js';

export type Slug = Brand<string, 'Slug'>;

export const SLUG_MAX_LENGTH = 120;
const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Slugs the API's own routes take: `/articles/feed` is the feed, never an article. */
const ROUTE_SEGMENTS = new Set(['feed']);

/**
 * The readable part of a slug: accents folded (é → e), anything else that is not a letter or a
 * digit becomes one "-", at most 100 characters so a uniqueness suffix still fits.
 * A title with no usable character (e.g. only emoji) yields "article"; one that folds to a route's
 * own segment ("Feed") gets "-article" after it, so its article can be read at its slug.
 */
export function slugify(title: string): Slug {
  const base = title
    .normalize('NFKD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 100)
    .replace(/^-+|-+$/g, '');
  if (base === '') return 'article' as Slug;
  return (ROUTE_SEGMENTS.has(base) ? `${base}-article` : base) as Slug;
}

const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A slug suffix made from random bytes: one character of `a–z0–9` per byte (8 bytes ≈ 41 bits;
 * `byte % 36` favours the first four characters by 1/64, which uniqueness does not mind).
 */
export function slugSuffixFrom(randomBytes: Uint8Array): string {
  return Array.from(randomBytes, (byte) =>
    SUFFIX_ALPHABET.charAt(byte % SUFFIX_ALPHABET.length),
  ).join('');
}

/** `slug` with a random suffix, for when the plain slug is already taken. */
export function withSuffix(slug: Slug, suffix: string): Slug {
  return `${slug}-${suffix}` as Slug;
}

/** A slug taken from a URL: anything that could never have been generated is simply absent. */
export function slugFromPath(value: string): Slug | undefined {
  return value.length <= SLUG_MAX_LENGTH && SLUG_PATTERN.test(value) ? (value as Slug) : undefined;
}
