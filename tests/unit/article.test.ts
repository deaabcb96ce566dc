import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BODY_MAX_LENGTH,
  DESCRIPTION_MAX_LENGTH,
  TAG_MAX_LENGTH,
  TAGS_MAX_COUNT,
  TITLE_MAX_LENGTH,
  parseArticleContent,
  parseBody,
  parseDescription,
  parseTags,
  parseTitle,
} from '../../src/domain/articles/article.js';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { BLANK, tooLong } from '../../src/domain/shared/text.js';

const BLANK_TAG = ValidationError.field('tagList', "can't contain a blank tag");

describe('parseTitle', () => {
  it('returns the title trimmed', () => {
    expect(parseTitle('  How to train your dragon ')).toBe('How to train your dragon');
  });

  it('rejects a blank title', () => {
    expect(() => parseTitle('  ')).toThrow(ValidationError.field('title', BLANK));
  });

  it('accepts 200 characters and rejects 201', () => {
    expect(parseTitle('t'.repeat(TITLE_MAX_LENGTH))).toHaveLength(TITLE_MAX_LENGTH);
    expect(() => parseTitle('t'.repeat(TITLE_MAX_LENGTH + 1))).toThrow(
      ValidationError.field('title', tooLong(TITLE_MAX_LENGTH)),
    );
  });
});

describe('parseDescription', () => {
  it('returns the description trimmed', () => {
    expect(parseDescription(' Ever wonder how? ')).toBe('Ever wonder how?');
  });

  it('rejects a blank description', () => {
    expect(() => parseDescription('')).toThrow(ValidationError.field('description', BLANK));
  });

  it('accepts 1000 characters and rejects 1001', () => {
    expect(parseDescription('d'.repeat(DESCRIPTION_MAX_LENGTH))).toHaveLength(
      DESCRIPTION_MAX_LENGTH,
    );
    expect(() => parseDescription('d'.repeat(DESCRIPTION_MAX_LENGTH + 1))).toThrow(
      ValidationError.field('description', tooLong(DESCRIPTION_MAX_LENGTH)),
    );
  });
});

describe('parseBody', () => {
  it('keeps the Markdown exactly as sent, leading and trailing whitespace included', () => {
    expect(parseBody('    indented code\n\n')).toBe('    indented code\n\n');
  });

  it('rejects a blank body', () => {
    expect(() => parseBody(' \n\t')).toThrow(ValidationError.field('body', BLANK));
  });

  it('accepts 100000 characters and rejects 100001', () => {
    expect(parseBody('b'.repeat(BODY_MAX_LENGTH))).toHaveLength(BODY_MAX_LENGTH);
    expect(() => parseBody('b'.repeat(BODY_MAX_LENGTH + 1))).toThrow(
      ValidationError.field('body', tooLong(BODY_MAX_LENGTH)),
    );
  });

  it('counts the whitespace it keeps towards the maximum', () => {
    expect(() => parseBody(`${'b'.repeat(BODY_MAX_LENGTH)}\n`)).toThrow(
      ValidationError.field('body', tooLong(BODY_MAX_LENGTH)),
    );
  });
});

describe('parseArticleContent', () => {
  it('parses each field by its own rule', () => {
    expect(parseArticleContent({ title: ' T ', description: ' D ', body: ' B ' })).toEqual({
      title: 'T',
      description: 'D',
      body: ' B ',
    });
  });

  it('names the invalid field', () => {
    expect(() => parseArticleContent({ title: 'T', description: ' ', body: 'B' })).toThrow(
      ValidationError.field('description', BLANK),
    );
  });
});

describe('parseTags', () => {
  it('trims tags and drops repeats, keeping the order first given', () => {
    expect(parseTags([' dragons', 'training ', 'dragons', 'angular', 'training'])).toEqual([
      'dragons',
      'training',
      'angular',
    ]);
  });

  it('stores tags in NFC: canonically equivalent spellings are one tag', () => {
    expect(parseTags(['cafe\u0301', 'café', 'Å'])).toEqual(['café', 'Å']);
  });

  it('measures a tag once normalized, which can lengthen it', () => {
    // U+FB2C is excluded from composition: in NFC it is three code points.
    expect(() => parseTags(['\ufb2c'.repeat(20)])).toThrow(
      ValidationError.field('tagList', tooLong(TAG_MAX_LENGTH)),
    );
  });

  it('accepts no tags', () => {
    expect(parseTags([])).toEqual([]);
  });

  it.each([[['ok', '']], [['  ']]])('rejects a blank tag in %j', (tags) => {
    expect(() => parseTags(tags)).toThrow(BLANK_TAG);
  });

  it('accepts a 50-character tag and rejects 51', () => {
    expect(parseTags(['t'.repeat(TAG_MAX_LENGTH)])).toHaveLength(1);
    expect(() => parseTags(['t'.repeat(TAG_MAX_LENGTH + 1)])).toThrow(
      ValidationError.field('tagList', tooLong(TAG_MAX_LENGTH)),
    );
  });

  it('accepts 20 distinct tags, counting repeats once, and rejects 21', () => {
    const twenty = Array.from({ length: TAGS_MAX_COUNT }, (_, i) => `tag${String(i)}`);
    expect(parseTags([...twenty, ...twenty])).toEqual(twenty);
    expect(() => parseTags([...twenty, 'one-more'])).toThrow(
      ValidationError.field('tagList', 'has too many tags (maximum is 20)'),
    );
  });

  it('returns distinct, trimmed, non-blank tags in order of first appearance', () => {
    const pad = fc.constantFrom('', ' ', '\t', '  ');
    const tag = fc
      .tuple(
        pad,
        fc.string({ unit: fc.constantFrom('a', 'b', 'é', '🎉', '-'), minLength: 1, maxLength: 3 }),
        pad,
      )
      .map(([before, text, after]) => `${before}${text}${after}`);
    fc.assert(
      fc.property(fc.array(tag, { maxLength: TAGS_MAX_COUNT }), (values) => {
        const tags = parseTags(values);
        expect(new Set(tags).size).toBe(tags.length);
        for (const t of tags) {
          expect(t).not.toBe('');
          expect(t).toBe(t.trim());
        }
        const trimmed = values.map((value) => value.trim());
        expect(tags).toEqual(trimmed.filter((t, i) => trimmed.indexOf(t) === i));
      }),
    );
  });

  it('either rejects the list or returns only clean tags, whatever it is given', () => {
    const tag = fc.string({ unit: fc.constantFrom('a', 'b', '🎉', ' '), maxLength: 4 });
    fc.assert(
      fc.property(fc.array(tag, { maxLength: 30 }), (values) => {
        let tags: readonly string[];
        try {
          tags = parseTags(values);
        } catch (error) {
          // The only failure allowed is a rule broken by the input.
          if (!(error instanceof ValidationError)) throw error;
          return;
        }
        expect(tags.every((t) => t !== '' && t === t.trim())).toBe(true);
        expect(tags.length).toBeLessThanOrEqual(TAGS_MAX_COUNT);
      }),
    );
  });
});
