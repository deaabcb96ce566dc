import type { Email } from './email.js';
import type { NewPassword } from './password.js';
import type { UserId } from '../shared/ids.js';
import type { Role } from './roles.js';
import type { TokenVersion } from './token-version.js';
import type { Account, TokenClaims } from './user.js';
import type { Username } from '../shared/username.js';

export interface NewAccount {
  readonly username: Username;
  readonly email: Email;
  readonly passwordHash: string;
}

export interface AccountChanges {
  readonly username?: Username;
  readonly email?: Email;
  readonly passwordHash?: string;
  readonly bio?: string | null;
  readonly image?: string | null;
  /** Moves the token version on: every token issued before stops working. */
  readonly revokeTokens?: true;
}

/** What a token is checked against on every request. */
export interface AccountAccess {
  readonly role: Role;
  readonly tokenVersion: TokenVersion;
}

/** Storage of accounts. Unique username/email violations surface as `ConflictError`. */
export interface AccountRepository {
  findById(id: UserId): Promise<Account | undefined>;
  /** One indexed lookup, made for every request that carries a token. */
  findAccess(id: UserId): Promise<AccountAccess | undefined>;
  findCredentialsByEmail(
    email: Email,
  ): Promise<{ readonly account: Account; readonly passwordHash: string } | undefined>;
  insert(account: NewAccount): Promise<Account>;
  /**
   * Changes the account `caller` names, only while its token version is still the caller's (the
   * check and the write are one statement); `undefined` when the account is gone or has signed
   * out since.
   */
  update(caller: TokenClaims, changes: AccountChanges): Promise<Account | undefined>;
}

export interface PasswordHasher {
  hash(password: NewPassword): Promise<string>;
  /** Constant-cost check; `hash === undefined` runs against a dummy hash (unknown email). */
  verify(hash: string | undefined, password: string): Promise<boolean>;
}

export interface TokenIssuer {
  issue(claims: TokenClaims): Promise<string>;
}
