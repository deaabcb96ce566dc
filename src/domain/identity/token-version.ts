import type { Brand } from '../shared/brand.js';

/**
 * How many times the account's tokens have been revoked (log out everywhere, a password change,
 * a role or status change). A token carries the version it was issued under and is refused once
 * the account's has moved on, unless it is the account's kept token (`honours`).
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

/** A token's own id (its `jti`), so that one token can outlive a revocation. */
export type TokenId = Brand<string, 'TokenId'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A token id from outside (a token's claim): a lower-case UUID, else `undefined`. */
export function parseTokenId(value: unknown): TokenId | undefined {
  return typeof value === 'string' && UUID.test(value) ? (value as TokenId) : undefined;
}

/** What an account says of the tokens it still honours. */
export interface TokenStanding {
  readonly tokenVersion: TokenVersion;
  /** The token that changed the password since its version was current: it alone survives. */
  readonly keptTokenId: TokenId | null;
}

/**
 * Whether `account` still honours a token: one of its current version, or the one token that
 * changed the password (a password change revokes every other token, spec.md §8).
 */
export function honours(
  account: TokenStanding,
  token: { readonly tokenVersion: TokenVersion; readonly tokenId: TokenId | undefined },
): boolean {
  return (
    token.tokenVersion === account.tokenVersion ||
    (token.tokenId !== undefined && token.tokenId === account.keptTokenId)
  );
}
