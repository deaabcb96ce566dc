import type { UserId } from './ids.js';
import type { Reason } from './reason.js';
import type { Role } from './roles.js';

/**
 * What the audit stream records (spec.md §8): changes to an account's security state, attempts
 * on it, and moderation. Append-only; each entry is chained to the one before by a hash. An
 * account's role and status are a projection of its `account.*` entries (`npm run audit:rebuild`).
 */
export const AUDIT_ACTIONS = [
  'account.password_changed',
  'account.login_failed',
  'account.tokens_revoked',
  'account.role_granted',
  'account.role_revoked',
  'account.suspended',
  'account.reinstated',
  'moderation.article_removed',
  'moderation.comment_removed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who did it: an account, the system (a command-line tool), or nobody signed in. */
export type AuditActor = UserId | 'system' | 'anonymous';

export interface AuditEntry {
  readonly action: AuditAction;
  readonly actor: AuditActor;
  /** The account it was done to; `undefined` when there is none (a login to an unknown email). */
  readonly subject: UserId | undefined;
  /** Why, in the actor's words; required of the actions an administrator or moderator takes. */
  readonly reason?: Reason;
  /** The role granted (`account.role_granted`) or taken away (`account.role_revoked`). */
  readonly role?: Role;
}

/**
 * Appends to the audit stream in the transaction of the change it records, so the entry exists
 * exactly when the change committed; outside that transaction it throws.
 */
export interface AuditTrail {
  append(entry: AuditEntry): Promise<void>;
}

/** An audit entry as the admin API lists it, with the accounts it names as they are called now. */
export interface AuditRecord {
  readonly sequence: number;
  readonly action: AuditAction;
  readonly actor:
    | { readonly type: 'user'; readonly id: UserId; readonly username: string | null }
    | { readonly type: 'system' | 'anonymous' };
  readonly subject: { readonly id: UserId; readonly username: string | null } | null;
  readonly role: Role | null;
  readonly reason: string | null;
  readonly requestId: string | null;
  readonly occurredAt: Date;
}

/** Which entries to list: all filters at once, newest first, before `before` (a sequence). */
export interface AuditFilter {
  readonly action?: AuditAction;
  readonly actor?: AuditActor;
  readonly subject?: UserId;
  readonly before?: number;
  readonly limit: number;
}

/** Reads the audit stream for people (the admin API); `audit:verify` reads it for integrity. */
export interface AuditLog {
  list(filter: AuditFilter): Promise<AuditRecord[]>;
}
