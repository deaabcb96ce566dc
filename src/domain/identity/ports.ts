import type { Email } from './email.js';
import type { NewPassword } from './password.js';
import type { UserId } from '../shared/ids.js';
import type { Account } from './user.js';
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
}

/** Storage of accounts. Unique username/email violations surface as `ConflictError`. */
export interface AccountRepository {
  findById(id: UserId): Promise<Account | undefined>;
  exists(id: UserId): Promise<boolean>;
  findCredentialsByEmail(
    email: Email,
  ): Promise<{ readonly account: Account; readonly passwordHash: string } | undefined>;
  insert(account: NewAccount): Promise<Account>;
  update(id: UserId, changes: AccountChanges): Promise<Account | undefined>;
}

export interface PasswordHasher {
  hash(password: NewPassword): Promise<string>;
  /** Constant-cost check; `hash === undefined` runs against a dummy hash (unknown email). */
  verify(hash: string | undefined, password: string): Promise<boolean>;
}

export interface TokenIssuer {
  issue(userId: UserId): Promise<string>;
}
