import type { Email } from './email.js';
import type { NewPassword } from './password.js';
import type { UserId } from '../shared/ids.js';
import type { Role } from '../shared/roles.js';
import type { AccountStatus } from './account-status.js';
import type { TokenStanding, TokenVersion } from './token-version.js';
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
  /**
   * Moves the token version on: every token issued before stops working (`all`), or every one
   * but the caller's (`others`), which the account then keeps honouring.
   */
  readonly revokeTokens?: 'all' | 'others';
}

/** What a token is checked against on every request. */
export interface AccountAccess extends TokenStanding {
  readonly role: Role;
  readonly status: AccountStatus;
}

/** An account's standing: what administration changes. */
export interface AccountStanding {
  readonly id: UserId;
  readonly username: Username;
  readonly role: Role;
  readonly status: AccountStatus;
}

/** What administration reads under its locks. */
export interface AdministrationLocks {
  readonly activeAdmins: readonly UserId[];
  /** The account changed; `undefined` if no account has the name. */
  readonly target: AccountStanding | undefined;
  /** The administrator as stored now, with what its tokens must carry. */
  readonly actor: (AccountStanding & TokenStanding) | undefined;
}

/** Storage of accounts. Unique username/email violations surface as `ConflictError`. */
export interface AccountRepository {
  findById(id: UserId): Promise<Account | undefined>;
  /**
   * One indexed lookup: what a token is checked against by every request that changes something
   * or needs a capability, and by every read where nothing caches it.
   */
  findAccess(id: UserId): Promise<AccountAccess | undefined>;
  /**
   * `findAccess`'s answer as this instance last read it, where a cache keeps it (spec.md §5), and
   * read again if it is older than a token of `tokenVersion` (versions only grow, so that token
   * proves it out of date); else the same lookup. For a read's token only (`AccessCheck`).
   */
  findRecentAccess(id: UserId, tokenVersion: TokenVersion): Promise<AccountAccess | undefined>;
  findCredentialsByEmail(
    email: Email,
  ): Promise<{ readonly account: Account; readonly passwordHash: string } | undefined>;
  insert(account: NewAccount): Promise<Account>;
  /**
   * Changes the account `caller` names, only while it still honours the caller's token (the
   * check and the write are one statement); `undefined` when the account is gone or has revoked
   * the token since.
   */
  update(caller: TokenClaims, changes: AccountChanges): Promise<Account | undefined>;
  findIdByUsername(username: Username): Promise<UserId | undefined>;
  /**
   * Locks, to the end of the transaction, every active admin's row, the account `target` names
   * and `actor`'s, in one statement in id order (the order every writer of `users` rows locks
   * them in, so administration queues behind other writers instead of deadlocking with them).
   */
  lockForAdministration(target: Username, actor: UserId | undefined): Promise<AdministrationLocks>;
  /**
   * Sets role and status and revokes every token of the account: a token issued before a
   * promotion is not carried into the new power, nor one issued before a demotion or suspension
   * kept.
   */
  changeStanding(
    id: UserId,
    standing: Pick<AccountStanding, 'role' | 'status'>,
  ): Promise<AccountStanding>;
}

export interface PasswordHasher {
  hash(password: NewPassword): Promise<string>;
  /** Constant-cost check; `hash === undefined` runs against a dummy hash (unknown email). */
  verify(hash: string | undefined, password: string): Promise<boolean>;
}

export interface TokenIssuer {
  /** A new token for the account at `tokenVersion`, with an id of its own. */
  issue(claims: Pick<TokenClaims, 'userId' | 'tokenVersion'>): Promise<string>;
}
