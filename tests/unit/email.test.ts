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
      expect(parseLoginEmail(` ${stored.toUpperCase()} `)).toEqual([stored]);
    }
    expect(() => parseLoginEmail('jane@example')).toThrow(INVALID);
  });

  it('looks a login up as sent (an account stored before spellings), then in its one spelling', () => {
    expect(parseLoginEmail('Jane@XN--BCHER-KVA.example')).toEqual([
      'jane@xn--bcher-kva.example',
      'jane@bücher.example',
    ]);
    expect(parseLoginEmail('jane@bücher.example')).toEqual(['jane@bücher.example']);
  });

  it.each([
    ['a full-width dot', 'jane@example\uff0ecom'],
    ['an ideographic full stop', 'jane@example\u3002com'],
  ])('logs in with the address it registered with, its domain with %s', (_what, typed) => {
    expect(parseEmail(typed)).toBe('jane@example.com');
    expect(parseLoginEmail(typed)).toEqual(['jane@example.com']);
  });

  it.each([
    ['its domain in punycode', 'jane@xn--bcher-kva.example'],
    ['its domain decomposed (u + combining diaeresis)', 'jane@bu\u0308cher.example'],
    ['its domain in full-width letters', 'jane@ｂücher.example'],
  ])('spells one mailbox one way: the address with %s is jane@bücher.example', (_what, value) => {
    expect(parseEmail(value)).toBe('jane@bücher.example');
  });

  it('stays lower-case where IDNA folds to upper case (Cherokee), as the column requires', () => {
    // UTS #46 maps Cherokee small letters to capitals; users_email_lower_check refuses those.
    const email = parseEmail('jane@\uab70.example');
    expect(email).toBe(email.toLowerCase());
    expect(parseEmail(email)).toBe(email);
  });

  it('composes the local part (NFC), which mail systems compare as sent', () => {
    expect(parseEmail('jo\u0308rg@example.com')).toBe('jörg@example.com');
  });

  it('keeps a domain that IDNA refuses or reads as an address as it is', () => {
    for (const kept of ['jane@1.2.3', 'jane@xn--zz.example', 'jane@a#b.example']) {
      expect(parseEmail(kept)).toBe(kept);
    }
  });

  it('keeps a domain read as an IPv4 address in its own spelling, not the address it reads as', () => {
    // A URL reads each as an address: `1.` as 0.0.0.1, the others as 127.0.0.1.
    expect(parseEmail('jane@\uff11\uff12\uff17.\uff11')).toBe('jane@\uff11\uff12\uff17.\uff11');
    for (const emptyLabel of ['jane@1.', 'jane@0x7f.1.', 'jane@127.0.0.1.']) {
      expect(() => parseEmail(emptyLabel)).toThrow(INVALID);
    }
  });

  it('measures the length once canonical, which can lengthen the text', () => {
    // "㍿" is four characters to IDNA.
    const domain = '@㍿.example';
    expect(() => parseEmail(`${'a'.repeat(EMAIL_MAX_LENGTH - domain.length)}${domain}`)).toThrow(
      ValidationError.field('email', tooLong(EMAIL_MAX_LENGTH)),
    );
  });

  it('accepts unusual but valid addresses', () => {
    expect(parseEmail("o'brien+news@mail.example.co.uk")).toBe("o'brien+news@mail.example.co.uk");
    expect(parseEmail('jürgen@bücher.example')).toBe('jürgen@bücher.example');
  });

  it('accepts any typed form of a valid address as its lower-cased trimmed self', () => {
    fc.assert(
      fc.property(typedAddress, (typed) => {
        const expected = typed.trim().toLowerCase();
        // A domain in punycode is spelled as IDNA decodes it (above).
        fc.pre(!/[@.]xn--/.test(expected));
        expect(parseEmail(typed)).toBe(expected);
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
