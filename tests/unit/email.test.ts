import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMAIL_MAX_LENGTH, parseEmail, parseLoginEmail } from '../../src/domain/identity/email.js';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { BLANK, tooLong } from '../../src/domain/shared/text.js';

const INVALID = ValidationError.field('email', 'is invalid');

/** The address as a user might type it: any case, stray whitespace around it. */
const typedAddress = fc
  .tuple(fc.emailAddress(), fc.boolean(), fc.constantFrom('', ' ', '\t', '\n '))
  .map(([email, upper, space]) => `${space}${upper ? email.toUpperCase() : email}${space}`);

describe('parseEmail', () => {
  it('trims and lower-cases the address, so one mailbox has one spelling', () => {
    expect(parseEmail('  Jane.Doe@Example.COM \n')).toBe('jane.doe@example.com');
  });

  it('rejects a blank address', () => {
    expect(() => parseEmail('  ')).toThrow(ValidationError.field('email', BLANK));
  });

  it('accepts 254 characters and rejects 255', () => {
    const domain = '@example.com';
    const at = (length: number) => 'a'.repeat(length - domain.length) + domain;
    expect(parseEmail(at(EMAIL_MAX_LENGTH))).toHaveLength(EMAIL_MAX_LENGTH);
    expect(() => parseEmail(at(EMAIL_MAX_LENGTH + 1))).toThrow(
      ValidationError.field('email', tooLong(EMAIL_MAX_LENGTH)),
    );
  });

  it('measures the length after lower-casing, which can lengthen the text', () => {
    // "İ" (U+0130) lower-cases to "i" plus a combining dot: two code points for one.
    expect(() => parseEmail(`${'İ'.repeat(200)}@example.com`)).toThrow(
      ValidationError.field('email', tooLong(EMAIL_MAX_LENGTH)),
    );
  });

  it.each(['jane', 'jane@', '@example.com', 'jane@example', 'ja ne@example.com', 'a@b@c.io'])(
    'rejects %j as invalid',
    (value) => {
      expect(() => parseEmail(value)).toThrow(INVALID);
    },
  );

  it.each([
    ['a comment', 'jane@example.com(x)'],
    ['an empty group', 'jane@example.com:'],
    ['a group', 'friends:jane@example.com;'],
    ['an angle bracket', '<jane@example.com'],
    ['a list', 'jane@example.com,bob@example.com'],
    ['a quoted local part', '"jane"@example.com'],
    ['a domain literal', 'jane@[192.0.2.1]'],
    ['a backslash', 'ja\\ne@example.com'],
    ['a zero-width space', 'ja\u200bne@example.com'],
    ['a control character', 'ja\u0007ne@example.com'],
    ['an empty label at the end of its domain', 'jane@example.com.'],
    ['an empty label inside its domain', 'jane@example..com'],
  ])(
    'rejects an address with %s, which a mail library reads as another mailbox',
    (_what, value) => {
      expect(() => parseEmail(value)).toThrow(INVALID);
    },
  );

  it('lets log in with any address the looser rule before it accepted, as stored', () => {
    for (const stored of ['jane@example.com(x)', 'jane@[192.0.2.1]', 'jane@example.com.']) {
      expect(() => parseEmail(stored)).toThrow(INVALID);
      expect(parseLoginEmail(` ${stored.toUpperCase()} `)).toBe(stored);
    }
    expect(() => parseLoginEmail('jane@example')).toThrow(INVALID);
  });

  it('accepts unusual but valid addresses', () => {
    expect(parseEmail("o'brien+news@mail.example.co.uk")).toBe("o'brien+news@mail.example.co.uk");
    expect(parseEmail('jürgen@bücher.example')).toBe('jürgen@bücher.example');
  });

  it('accepts any typed form of a valid address as its lower-cased trimmed self', () => {
    fc.assert(
      fc.property(typedAddress, (typed) => {
        expect(parseEmail(typed)).toBe(typed.trim().toLowerCase());
      }),
    );
  });

  it('is idempotent on its output', () => {
    fc.assert(
      fc.property(fc.oneof(typedAddress, fc.string(), fc.string({ unit: 'grapheme' })), (value) => {
        let parsed: string;
        try {
          parsed = parseEmail(value);
        } catch (error) {
          // The only failure allowed is a rule broken by the input.
          if (!(error instanceof ValidationError)) throw error;
          return;
        }
        expect(parseEmail(parsed)).toBe(parsed);
      }),
    );
  });
});
