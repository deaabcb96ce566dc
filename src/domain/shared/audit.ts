import type { UserId } from './ids.js';

/**
 * What the audit stream records (spec.md §8): changes to an account's security state and
 * attempts on it. Append-only; each entry is chained to the one before by a hash.
 */
export type AuditAction =
  'account.password_changed' | 'account.login_failed' | 'account.tokens_revoked';

export interface AuditEntry {
  readonly action: AuditAction;
  /** Who did it: an account, the system (a command-line tool), or nobody signed in. */
  readonly actor: UserId | 'system' | 'anonymous';
  /** The account it was done to; `undefined` when there is none (a login to an unknown email). */
  readonly subject: UserId | undefined;
  /** Why, in the actor's words; required of the actions an administrator takes. */
  readonly reason?: string;
}

/**
 * Appends to the audit stream in the transaction of the change it records, so the entry exists
 * exactly when the change committed; outside that transaction it throws.
 */
export interface AuditTrail {
  append(entry: AuditEntry): Promise<void>;
}
