import type { UserId } from '../shared/ids.js';
import { ValidationError } from '../shared/errors.js';
import { optionalText } from '../shared/text.js';
import type { Email } from './email.js';
import type { Role } from '../shared/roles.js';
import type { AccountStatus } from './account-status.js';
import type { TokenId, TokenVersion } from './token-version.js';
import type { Username } from '../shared/username.js';

export const BIO_MAX_LENGTH = 2_000;
export const IMAGE_MAX_LENGTH = 2_000;

export interface Account {
  readonly id: UserId;
  readonly username: Username;
  readonly email: Email;
  readonly bio: string | null;
  readonly image: string | null;
  /** Tokens are issued under it; a token of an older version is refused (but the kept one). */
  readonly tokenVersion: TokenVersion;
  readonly keptTokenId: TokenId | null;
  readonly status: AccountStatus;
}

/** What a token says, once its signature and expiry have been checked. */
export interface TokenClaims {
  readonly userId: UserId;
  readonly tokenVersion: TokenVersion;
  /** Absent from tokens issued before tokens had ids; such a token can't be the kept one. */
  readonly tokenId: TokenId | undefined;
}

/**
 * What a token is checked against: the account's access (`AccountAccess`, its "standing" in
 * spec.md) as stored now (`current`), or as this instance last read it (`recent`: at most the read
 * cache's expiry old, and dropped by every revocation, spec.md §8), which is enough for a read
 * that needs no capability and never for a change.
 */
export type AccessCheck = 'current' | 'recent';

/** The caller a current token authenticates: its account still exists and has not signed out. */
export interface Principal extends TokenClaims {
  readonly role: Role;
}

/** The user as returned by register, login and /user: the account plus a fresh token. */
export interface AuthenticatedUser {
  readonly email: Email;
  readonly token: string;
  readonly username: Username;
  readonly bio: string | null;
  readonly image: string | null;
}

export function parseBio(value: string | null): string | null {
  return optionalText('bio', value, BIO_MAX_LENGTH);
}

/**
 * Images are rendered by clients as `<img src>`: only absolute http(s) URLs are stored, so a
 * `javascript:` or `data:` URL can never reach another user's browser.
 */
export function parseImage(value: string | null): string | null {
  const image = optionalText('image', value, IMAGE_MAX_LENGTH);
  if (image === null) return null;
  if (!URL.canParse(image) || !/^https?:$/.test(new URL(image).protocol)) {
    throw ValidationError.field('image', 'must be an http or https URL');
  }
  return image;
}
