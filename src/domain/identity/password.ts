import type { Brand } from '../shared/brand.js';
import { ValidationError } from '../shared/errors.js';
import { BLANK, lengthOf, tooLong } from '../shared/text.js';

/** A password that satisfies the policy for new passwords (NIST SP 800-63B §5.1.1.2). */
export type NewPassword = Brand<string, 'NewPassword'>;

export const PASSWORD_MIN_LENGTH = 8;
// Long enough for any passphrase, short enough that hashing it is never a denial of service.
export const PASSWORD_MAX_LENGTH = 256;
export const NOT_UNICODE = 'must be valid Unicode text';

/** Length and valid Unicode only: no composition rules, and spaces count (NIST). */
export function parseNewPassword(value: string): NewPassword {
  if (value.trim() === '') throw ValidationError.field('password', BLANK);
  const length = lengthOf(value);
  if (length < PASSWORD_MIN_LENGTH) {
    throw ValidationError.field(
      'password',
      `is too short (minimum is ${String(PASSWORD_MIN_LENGTH)} characters)`,
    );
  }
  if (length > PASSWORD_MAX_LENGTH)
    throw ValidationError.field('password', tooLong(PASSWORD_MAX_LENGTH));
  // A lone surrogate has no UTF-8 form: the hash would see U+FFFD, so any other lone surrogate in
  // its place would log in too.
  if (!value.isWellFormed()) throw ValidationError.field('password', NOT_UNICODE);
  return value as NewPassword;
}

/**
 * A login attempt is checked against the stored hash, never against today's policy; but a lone
 * surrogate is refused: it would be hashed as U+FFFD, so it would open an account whose password
 * has U+FFFD in its place, and no password set under the rule above holds one.
 */
export function requireLoginPassword(value: string): string {
  if (value.trim() === '') throw ValidationError.field('password', BLANK);
  if (!value.isWellFormed()) throw ValidationError.field('password', NOT_UNICODE);
  return value;
}
