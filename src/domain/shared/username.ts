import type { Brand } from './brand.js';
import { ValidationError } from './errors.js';
import { requiredText } from './text.js';

export type Username = Brand<string, 'Username'>;

export const USERNAME_MAX_LENGTH = 64;
// Usernames appear in URLs (/profiles/:username) and in other people's feeds: a small
// alphabet keeps them unambiguous and needs no escaping.
const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
// URL dot segments: clients resolve `/profiles/..` to `/` and `/profiles/./follow` to
// `/profiles/follow` (percent-encoded too), so a profile of that name could never be reached.
const DOT_SEGMENTS = new Set(['.', '..']);

export function parseUsername(value: string): Username {
  const username = requiredText('username', value, USERNAME_MAX_LENGTH);
  if (!USERNAME_PATTERN.test(username)) {
    throw ValidationError.field('username', 'may only contain letters, digits, "_", "." and "-"');
  }
  if (DOT_SEGMENTS.has(username)) {
    throw ValidationError.field('username', 'can\'t be "." or ".."');
  }
  return username as Username;
}

/** A username taken from a URL: anything that could not have been registered is simply absent. */
export function usernameFromPath(value: string): Username | undefined {
  return value.length <= USERNAME_MAX_LENGTH && USERNAME_PATTERN.test(value)
    ? (value as Username)
    : undefined;
}
