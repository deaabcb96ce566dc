import type { Brand } from '../shared/brand.js';
import { ValidationError } from '../shared/errors.js';
import { requiredText } from '../shared/text.js';

/** A trimmed, lower-cased address: one mailbox has one spelling, so uniqueness is exact. */
export type Email = Brand<string, 'Email'>;

export const EMAIL_MAX_LENGTH = 254; // RFC 5321 path limit
// Deliberately loose: one "@", no spaces, a dot in the domain. Only a confirmation mail could
// prove more, and rejecting valid exotic addresses is worse than accepting odd ones.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function parseEmail(value: string): Email {
  // Lower-case before measuring: some characters grow when lower-cased (İ → i̇).
  const email = requiredText('email', value.toLowerCase(), EMAIL_MAX_LENGTH);
  if (!EMAIL_PATTERN.test(email)) throw ValidationError.field('email', 'is invalid');
  return email as Email;
}
