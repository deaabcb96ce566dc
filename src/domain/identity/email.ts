import type { Brand } from '../shared/brand.js';
import { ValidationError } from '../shared/errors.js';
import { requiredText } from '../shared/text.js';

/** A trimmed, lower-cased address: one mailbox has one spelling, so uniqueness is exact. */
export type Email = Brand<string, 'Email'>;

export const EMAIL_MAX_LENGTH = 254; // RFC 5321 path limit

// Loose on purpose: one "@", a domain of dot-separated labels. Only a confirmation mail could
// prove more, and rejecting valid exotic addresses is worse than accepting odd ones. But no
// character that a mail library reads as address syntax rather than as part of the mailbox (a
// comment's parentheses, angle brackets, a group's colon and semicolon, a list's comma, quotes, a
// domain literal's brackets, a backslash), none that is invisible (control and format characters,
// such as a zero-width space), and no empty label (`a@b.c.` is `a@b.c` to DNS): each would let
// one mailbox be registered under a second spelling, or make the stored address name a mailbox
// other than its text (`a@b.c(x)` is mailed to `a@b.c`, `a@b.c:` to no one).
const NOT_IN_ADDRESS = String.raw`\s@()<>\[\]:;,"\\\p{Cc}\p{Cf}`;
const NEW_EMAIL = new RegExp(
  `^[^${NOT_IN_ADDRESS}]+@[^${NOT_IN_ADDRESS}.]+(?:\\.[^${NOT_IN_ADDRESS}.]+)+$`,
  'u',
);
// What every address Keel has stored satisfies, those of the looser rule before this one
// included: one "@", no spaces, a dot in the domain.
const ANY_STORED_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function parse(value: string, pattern: RegExp): Email {
  // Lower-case before measuring: some characters grow when lower-cased (İ → i̇).
  const email = requiredText('email', value.toLowerCase(), EMAIL_MAX_LENGTH);
  if (!pattern.test(email)) throw ValidationError.field('email', 'is invalid');
  return email as Email;
}

/** An address to register or change to. */
export function parseEmail(value: string): Email {
  return parse(value, NEW_EMAIL);
}

/**
 * An address to log in with: any Keel may have stored, so an account registered before the rule
 * for new addresses tightened still logs in (and can change to an address that rule accepts).
 */
export function parseLoginEmail(value: string): Email {
  return parse(value, ANY_STORED_EMAIL);
}
