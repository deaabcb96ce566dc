import type { Brand } from '../shared/brand.js';
import { ValidationError } from '../shared/errors.js';
import { requiredText } from '../shared/text.js';

/** A trimmed, lower-cased address: one mailbox has one spelling, so uniqueness is exact. */
export type Email = Brand<string, 'Email'>;

export const EMAIL_MAX_LENGTH = 254; // RFC 5321 path limit
// Loose on purpose: one "@", a dot in the domain. Only a confirmation mail could prove more,
// and rejecting valid exotic addresses is worse than accepting odd ones. But no character that a
// mail library reads as address syntax rather than as part of the mailbox (a comment's
// parentheses, angle brackets, a group's colon and semicolon, a list's comma, quotes, a domain
// literal's brackets, a backslash), and none that is invisible (control and format characters,
// such as a zero-width space): each would let one mailbox be registered under a second spelling,
// or make the stored address name a mailbox other than its text (`a@b.c(x)` is mailed to
// `a@b.c`, `a@b.c:` to no one).
const NOT_IN_ADDRESS = String.raw`\s@()<>\[\]:;,"\\\p{Cc}\p{Cf}`;
const EMAIL_PATTERN = new RegExp(
  `^[^${NOT_IN_ADDRESS}]+@[^${NOT_IN_ADDRESS}]+\\.[^${NOT_IN_ADDRESS}]+$`,
  'u',
);

export function parseEmail(value: string): Email {
  // Lower-case before measuring: some characters grow when lower-cased (İ → i̇).
  const email = requiredText('email', value.toLowerCase(), EMAIL_MAX_LENGTH);
  if (!EMAIL_PATTERN.test(email)) throw ValidationError.field('email', 'is invalid');
  return email as Email;
}
