import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SLUG_MAX_LENGTH,
  slugFromPath,
  slugSuffixFrom,
  slugify,
  withSuffix,
  type Slug,
} from '../../src/domain/shared/slug.js';

const anyTitle = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 150 }),
  fc.string({ unit: 'binary', maxLength: 150 }),
  fc.string({ unit: fc.constantFrom('a', 'É', 'ç', '-', ' ', '!', '🎉', '9'), maxLength: 200 }),
);

describe('slugify', () => {
  it('lower-cases the title and joins words with dashes', () => {
    expect(slugify('How to Train Your Dragon 2')).toBe('how-to-train-your-dragon-2');
  });

  it('folds accents and collapses punctuation into one dash', () => {
    expect(slugify('Crème Brûlée — à la carte!!!')).toBe('creme-brulee-a-la-carte');
    expect(slugify('Hello,   World... & more')).toBe('hello-world-more');
  });

  it('removes leading and trailing dashes', () => {
    expect(slugify('  --- ¿Qué tal? --- ')).toBe('que-tal');
  });

  it('keeps at most 100 characters, without a dash at the cut', () => {
    expect(slugify('a'.repeat(150))).toBe('a'.repeat(100));
    expect(slugify(`${'a'.repeat(99)} bcd`)).toBe('a'.repeat(99));
  });

  it.each(['🎉🚀', '   ', '!!!', '漢字'])('falls back to "article" for %j', (title) => {
    expect(slugify(title)).toBe('article');
  });

  it.each(['Feed', ' FEED! ', 'féed'])(
    "never yields the feed route's own segment for %j",
    (title) => {
      expect(slugify(title)).toBe('feed-article');
    },
  );

  it('produces a slug that slugFromPath accepts, for any title', () => {
    fc.assert(
      fc.property(anyTitle, (title) => {
        const slug = slugify(title);
        expect(slugFromPath(slug)).toBe(slug);
        expect(slug.length).toBeLessThanOrEqual(100);
        expect(slug).not.toBe('feed');
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(anyTitle, (title) => {
        expect(slugify(slugify(title))).toBe(slugify(title));
      }),
    );
  });
});

describe('withSuffix', () => {
  it('appends the suffix after a dash, leaving a slug that still fits', () => {
    const slug = withSuffix(slugify('x'.repeat(300)), 'k3j9z0');
    expect(slug).toBe(`${'x'.repeat(100)}-k3j9z0`);
    expect(slugFromPath(slug)).toBe(slug);
  });
});

describe('slugFromPath', () => {
  it('returns a slug that could have been generated', () => {
    expect(slugFromPath('how-to-train-your-dragon-2')).toBe('how-to-train-your-dragon-2');
    expect(slugFromPath('a'.repeat(SLUG_MAX_LENGTH))).toBeDefined();
  });

  it.each([
    '',
    'How-To',
    '-leading',
    'trailing-',
    'double--dash',
    'with space',
    'crème',
    'under_score',
    'a'.repeat(SLUG_MAX_LENGTH + 1),
  ])('returns undefined for %j, which no article can have', (value) => {
    expect(slugFromPath(value)).toBeUndefined();
  });

  it('never accepts more than the maximum length', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '-', '1'), maxLength: 200 }), (value) => {
        const slug: Slug | undefined = slugFromPath(value);
        if (slug !== undefined) expect(slug.length).toBeLessThanOrEqual(SLUG_MAX_LENGTH);
      }),
    );
  });
});

describe('slugSuffixFrom', () => {
  it('makes one a–z0–9 character per random byte', () => {
    expect(slugSuffixFrom(Uint8Array.from([0, 25, 26, 35, 36, 255, 100, 7]))).toBe('az09ad2h');
  });

  it('always yields a suffix that keeps the slug valid', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        const suffix = slugSuffixFrom(bytes);
        expect(suffix).toMatch(/^[a-z0-9]{8}$/);
        expect(slugFromPath(withSuffix(slugify('Hello'), suffix))).toBeDefined();
      }),
    );
  });
});
