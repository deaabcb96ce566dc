import { describe, expect, it } from 'vitest';
import {
  NOT_UNICODE,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  parseNewPassword,
  requireLoginPassword,
} from '../../src/domain/identity/password.js';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { BLANK, tooLong } from '../../src/domain/shared/text.js';

const TOO_SHORT = ValidationError.field('password', 'is too short (minimum is 8 characters)');
const TOO_LONG = ValidationError.field('password', tooLong(PASSWORD_MAX_LENGTH));

describe('parseNewPassword', () => {
  it('rejects an empty password as blank', () => {
    expect(() => parseNewPassword('')).toThrow(ValidationError.field('password', BLANK));
  });

  it('accepts 8 characters and rejects 7', () => {
    expect(parseNewPassword('a'.repeat(PASSWORD_MIN_LENGTH))).toBe('aaaaaaaa');
    expect(() => parseNewPassword('a'.repeat(PASSWORD_MIN_LENGTH - 1))).toThrow(TOO_SHORT);
  });

  it('accepts 256 characters and rejects 257', () => {
    expect(parseNewPassword('a'.repeat(PASSWORD_MAX_LENGTH))).toHaveLength(PASSWORD_MAX_LENGTH);
    expect(() => parseNewPassword('a'.repeat(PASSWORD_MAX_LENGTH + 1))).toThrow(TOO_LONG);
  });

  it('counts an emoji as one character', () => {
    expect(() => parseNewPassword('🔒'.repeat(7))).toThrow(TOO_SHORT);
    expect(parseNewPassword('🔒'.repeat(8))).toBe('🔒'.repeat(8));
    expect(parseNewPassword('🔒'.repeat(PASSWORD_MAX_LENGTH))).toBe('🔒'.repeat(256));
    expect(() => parseNewPassword('🔒'.repeat(PASSWORD_MAX_LENGTH + 1))).toThrow(TOO_LONG);
  });

  it('keeps spaces, which count, and imposes no composition rule', () => {
    expect(parseNewPassword(' correct horse ')).toBe(' correct horse ');
  });

  it('rejects a password of only spaces as blank', () => {
    expect(() => parseNewPassword('        ')).toThrow(ValidationError.field('password', BLANK));
  });

  it('rejects a lone surrogate, which would hash as U+FFFD like any other', () => {
    const notUnicode = ValidationError.field('password', NOT_UNICODE);
    expect(() => parseNewPassword('pass\ud800word')).toThrow(notUnicode);
    expect(() => parseNewPassword('password\udfff')).toThrow(notUnicode);
    expect(parseNewPassword('pass\ud83d\udd12word')).toBe('pass🔒word');
  });
});

describe('requireLoginPassword', () => {
  it('rejects an empty password as blank', () => {
    expect(() => requireLoginPassword('')).toThrow(ValidationError.field('password', BLANK));
  });

  it("passes any other password through, even one today's policy would refuse", () => {
    expect(requireLoginPassword('x')).toBe('x');
    expect(requireLoginPassword(' x ')).toBe(' x ');
    expect(() => requireLoginPassword('   ')).toThrow(ValidationError.field('password', BLANK));
  });

  it('rejects a lone surrogate, which no password set since can hold (it would hash as U+FFFD)', () => {
    expect(() => requireLoginPassword('password\udc00')).toThrow(
      ValidationError.field('password', NOT_UNICODE),
    );
    expect(requireLoginPassword('password\ufffd')).toBe('password\ufffd');
  });
});
