import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/shared/errors.js';
import {
  BLANK,
  isStorableText,
  lengthOf,
  NOT_STORABLE,
  optionalText,
  requiredText,
  tooLong,
} from '../../src/domain/shared/text.js';

/** Any Unicode scalar value: every code point except the surrogate halves. */
const codePoint = fc.oneof(
  fc.integer({ min: 0, max: 0xd7ff }),
  fc.integer({ min: 0xe000, max: 0x10ffff }),
);
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
);

describe('tooLong', () => {
  it('states the maximum in characters', () => {
    expect(tooLong(64)).toBe('is too long (maximum is 64 characters)');
  });
});

describe('lengthOf', () => {
  it('counts an emoji outside the BMP as one character', () => {
    expect('🎉'.length).toBe(2);
    expect(lengthOf('🎉')).toBe(1);
    expect(lengthOf('a🎉b')).toBe(3);
  });

  it('counts code points, whatever the text', () => {
    fc.assert(
      fc.property(fc.array(codePoint), (points) => {
        expect(lengthOf(String.fromCodePoint(...points))).toBe(points.length);
      }),
    );
  });
});

describe('requiredText', () => {
  it('returns the text trimmed', () => {
    expect(requiredText('title', '  Hello \n', 10)).toBe('Hello');
  });

  it.each(['', '   ', '\n\t'])('rejects %j as blank on the named field', (value) => {
    expect(() => requiredText('title', value, 10)).toThrow(ValidationError.field('title', BLANK));
  });

  it.each([
    ['a zero-width space', '\u200b'],
    ['a word joiner between spaces', ' \u2060 '],
    ['a Hangul filler', '\u3164'],
    ['a soft hyphen and a zero-width joiner', '\u00ad\u200d'],
  ])('rejects text of nothing but %s as blank: nothing shows', (_what, value) => {
    expect(() => requiredText('title', value, 10)).toThrow(ValidationError.field('title', BLANK));
  });

  it('keeps invisible characters inside visible text', () => {
    expect(requiredText('title', 'a\u200db', 10)).toBe('a\u200db');
  });

  it('accepts exactly max characters and rejects one more, counting after the trim', () => {
    expect(requiredText('title', ' abc ', 3)).toBe('abc');
    expect(() => requiredText('title', 'abcd', 3)).toThrow(
      ValidationError.field('title', tooLong(3)),
    );
  });

  it('measures the maximum in code points', () => {
    expect(requiredText('title', '🎉🎉🎉', 3)).toBe('🎉🎉🎉');
  });

  it('either throws a ValidationError or returns trimmed non-blank text within max', () => {
    fc.assert(
      fc.property(anyText, fc.nat({ max: 20 }), (value, max) => {
        let result: string;
        try {
          result = requiredText('field', value, max);
        } catch (error) {
          // The only failure allowed is a rule broken by the input.
          if (!(error instanceof ValidationError)) throw error;
          return;
        }
        expect(result).toBe(result.trim());
        expect(result).not.toBe('');
        expect(lengthOf(result)).toBeLessThanOrEqual(max);
      }),
    );
  });
});

describe('optionalText', () => {
  it.each([null, '', '  \n', '\u200b'])('treats %j as not set', (value) => {
    expect(optionalText('bio', value, 10)).toBeNull();
  });

  it('returns set text trimmed', () => {
    expect(optionalText('bio', ' I write. ', 10)).toBe('I write.');
  });

  it('rejects text longer than max on the named field', () => {
    expect(() => optionalText('bio', 'abcd', 3)).toThrow(ValidationError.field('bio', tooLong(3)));
  });
});

describe('isStorableText', () => {
  it('accepts well-formed text, emoji included', () => {
    expect(isStorableText('héllo 🐉')).toBe(true);
  });

  it('refuses NUL and lone surrogates, which PostgreSQL text cannot hold', () => {
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('\udc00')).toBe(false);
    expect(isStorableText('x\ud83d')).toBe(false);
  });

  it('makes requiredText and optionalText answer with a validation error', () => {
    expect(() => requiredText('title', 'a\u0000', 10)).toThrow(
      ValidationError.field('title', NOT_STORABLE),
    );
    expect(() => optionalText('bio', '\udc00', 10)).toThrow(
      ValidationError.field('bio', NOT_STORABLE),
    );
  });
});
