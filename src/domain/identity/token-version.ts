import type { Brand } from '../shared/brand.js';

/**
 * How many times the account has signed out all its tokens ("log out everywhere"). A token
 * carries the version it was issued under and is refused once the account's has moved on.
 */
export type TokenVersion = Brand<number, 'TokenVersion'>;

const MAX_TOKEN_VERSION = 2_147_483_647; // PostgreSQL integer

/** A token version from outside (a token's claim): a 32-bit integer ≥ 0, else `undefined`. */
export function parseTokenVersion(value: unknown): TokenVersion | undefined {
  return typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value <= MAX_TOKEN_VERSION
    ? (value as TokenVersion)
    : undefined;
}
