import type { Brand } from './brand.js';
import { ValidationError } from './errors.js';
import { requiredText } from './text.js';

export type Username = Brand<string, 'Username'>;

export const USERNAME_MAX_LENGTH = 64;
// Usernames appear in URLs (/profiles/:username) and in other people's feeds: a small
// alphabet keeps them unambiguous and needs no escaping.
const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

export function parseUsername(value: string): Username {
  const username = requiredText('username', value, USERNAME_MAX_LENGTH);
  if (!USERNAME_PATTERN.test(username)) {
    throw ValidationError.field('username', 'may only contain letters, digits, "_", "." and "-"');
  }
  return username as Username;
}

/** A username taken from a URL: anything that could not have been registered is simply absent. */
export function usernameFromPath(value: string): Username | undefined {
  return value.length <= USERNAME_MAX_LENGTH && USERNAME_PATTERN.test(value)
    ? (value as Username)
    : undefined;
}
