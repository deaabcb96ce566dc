import { describe, expect, it } from 'vitest';
import {
  COMMENT_MAX_LENGTH,
  commentIdFromPath,
  parseCommentBody,
} from '../../src/domain/comments/comment.js';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { BLANK, tooLong } from '../../src/domain/shared/text.js';

describe('parseCommentBody', () => {
  it('returns the body trimmed', () => {
    expect(parseCommentBody('  Great read!\n')).toBe('Great read!');
  });

  it('rejects a blank body', () => {
    expect(() => parseCommentBody(' \n ')).toThrow(ValidationError.field('body', BLANK));
  });

  it('accepts 10000 characters and rejects 10001', () => {
    expect(parseCommentBody('c'.repeat(COMMENT_MAX_LENGTH))).toHaveLength(COMMENT_MAX_LENGTH);
    expect(() => parseCommentBody('c'.repeat(COMMENT_MAX_LENGTH + 1))).toThrow(
      ValidationError.field('body', tooLong(COMMENT_MAX_LENGTH)),
    );
  });
});

describe('commentIdFromPath', () => {
  it.each([1, 42, 2_147_483_647])('returns %d, a possible comment id', (value) => {
    expect(commentIdFromPath(value)).toBe(value);
  });

  it.each([0, -1, 1.5, 2_147_483_648, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
    'returns undefined for %d, which names no comment',
    (value) => {
      expect(commentIdFromPath(value)).toBeUndefined();
    },
  );
});
