import type { AuditFilter, AuditLog, AuditRecord, AuditTrail } from '../shared/audit.js';
import {
  ForbiddenError,
  LastAdminError,
  NotFoundError,
  UnauthenticatedError,
} from '../shared/errors.js';
import type { EventRecorder } from '../shared/events.js';
import type { UserId } from '../shared/ids.js';
import { parseReason } from '../shared/reason.js';
import { grants, type Role } from '../shared/roles.js';
import type { Atomic } from '../shared/transaction.js';
import { usernameFromPath, type Username } from '../shared/username.js';
import type { AccountStatus } from './account-status.js';
import type { AccountRepository, AccountStanding } from './ports.js';
import { honours } from './token-version.js';
import type { Principal } from './user.js';

/** Who administers: a signed-in account (its role checked by the route and here), or a CLI. */
export type Administrator = Principal | 'system';

export interface RoleChangeInput {
  readonly role: Role;
  readonly reason: string;
}

export interface StatusChangeInput {
  readonly status: AccountStatus;
  readonly reason: string;
}

/** An account as the admin API shows it. */
export interface AccountSummary {
  readonly username: Username;
  readonly role: Role;
  readonly status: AccountStatus;
}

export interface AuditQuery {
  readonly action?: AuditFilter['action'];
  /** A username, or `@system` / `@anonymous` (no username has an `@`). */
  readonly actor?: string;
  /** A username. */
  readonly subject?: string;
  readonly before?: number;
  readonly limit: number;
}

export interface AuditPage {
  readonly auditEvents: AuditRecord[];
  /** The `before` of the next page; `null` on the last one. */
  readonly next: number | null;
}

export interface AdministrationDeps {
  readonly atomic: Atomic;
  readonly events: EventRecorder;
  readonly audit: AuditTrail;
  readonly accounts: AccountRepository;
  readonly auditLog: AuditLog;
}

/**
 * Roles, suspension and the audit listing (spec.md §8). Every change is audited with its reason
 * and revokes the account's tokens, in the transaction of the change. Neither a role change nor
 * a suspension may leave Keel without an active admin.
 */
export interface Administration {
  changeRole(by: Administrator, username: string, input: RoleChangeInput): Promise<AccountSummary>;
  changeStatus(
    by: Administrator,
    username: string,
    input: StatusChangeInput,
  ): Promise<AccountSummary>;
  auditEvents(query: AuditQuery): Promise<AuditPage>;
}

function actorOf(by: Administrator): UserId | 'system' {
  return by === 'system' ? 'system' : by.userId;
}

function summaryOf(account: AccountStanding): AccountSummary {
  return { username: account.username, role: account.role, status: account.status };
}

/** Would `account`, changed to `next`, stop being an active admin while it is the only one? */
function removesLastAdmin(
  activeAdmins: readonly UserId[],
  account: AccountStanding,
  next: Pick<AccountStanding, 'role' | 'status'>,
): boolean {
  const isActiveAdmin = account.role === 'admin' && account.status === 'active';
  const staysActiveAdmin = next.role === 'admin' && next.status === 'active';
  return isActiveAdmin && !staysActiveAdmin && activeAdmins.every((id) => id === account.id);
}

export function createAdministration({
  atomic,
  events,
  audit,
  accounts,
  auditLog,
}: AdministrationDeps): Administration {
  /**
   * Locks the active admins, the account `username` names and the administrator for the rest of
   * the transaction, so concurrent changes queue here: two admins demoting each other can't both
   * succeed. A signed-in administrator is authenticated again under the lock: a request that
   * began before its caller was demoted, suspended or signed out may not act on the old role.
   */
  async function lockForChange(
    by: Administrator,
    username: string,
  ): Promise<{ activeAdmins: readonly UserId[]; account: AccountStanding }> {
    const name = usernameFromPath(username);
    if (name === undefined) throw new NotFoundError('profile');
    // Under READ COMMITTED the locking read keeps the rows of its snapshot: an admin granted by a
    // change this one waited for is not counted. That errs towards a 409 (safe, and a retry sees
    // them), never towards removing the last admin.
    const locks = await accounts.lockForAdministration(
      name,
      by === 'system' ? undefined : by.userId,
    );
    if (
      by !== 'system' &&
      (locks.actor === undefined ||
        !honours(locks.actor, by) ||
        locks.actor.status !== 'active' ||
        locks.actor.role !== by.role)
    ) {
      throw new UnauthenticatedError('invalid');
    }
    if (locks.target === undefined) throw new NotFoundError('profile');
    return { activeAdmins: locks.activeAdmins, account: locks.target };
  }

  /** An account id from a username, or `null` when no account has that name. */
  async function idOf(username: string): Promise<UserId | null> {
    const name = usernameFromPath(username);
    return name === undefined ? null : ((await accounts.findIdByUsername(name)) ?? null);
  }

  return {
    async changeRole(by, username, input) {
      const reason = parseReason(input.reason);
      return atomic(async () => {
        const { activeAdmins, account } = await lockForChange(by, username);
        if (account.role === input.role) return summaryOf(account);
        const next = { role: input.role, status: account.status };
        if (removesLastAdmin(activeAdmins, account, next)) throw new LastAdminError();
        const changed = await accounts.changeStanding(account.id, next);
        const granted = input.role !== 'user';
        await audit.append({
          action: granted ? 'account.role_granted' : 'account.role_revoked',
          actor: actorOf(by),
          subject: account.id,
          reason,
          role: granted ? input.role : account.role,
        });
        await events.record({
          type: granted ? 'user.role_granted' : 'user.role_revoked',
          version: 1,
          aggregate: { type: 'user', id: account.id },
          payload: {
            userId: account.id,
            role: granted ? input.role : account.role,
            previousRole: account.role,
          },
        });
        return summaryOf(changed);
      });
    },

    async changeStatus(by, username, input) {
      const reason = parseReason(input.reason);
      return atomic(async () => {
        const { activeAdmins, account } = await lockForChange(by, username);
        // Moderators suspend users; only those who manage roles suspend staff.
        if (account.role !== 'user' && by !== 'system' && !grants(by.role, 'roles:manage')) {
          throw new ForbiddenError('account');
        }
        if (account.status === input.status) return summaryOf(account);
        const next = { role: account.role, status: input.status };
        if (removesLastAdmin(activeAdmins, account, next)) throw new LastAdminError();
        const changed = await accounts.changeStanding(account.id, next);
        const suspended = input.status === 'suspended';
        await audit.append({
          action: suspended ? 'account.suspended' : 'account.reinstated',
          actor: actorOf(by),
          subject: account.id,
          reason,
        });
        await events.record({
          type: suspended ? 'user.suspended' : 'user.reinstated',
          version: 1,
          aggregate: { type: 'user', id: account.id },
          payload: { userId: account.id },
        });
        return summaryOf(changed);
      });
    },

    async auditEvents(query) {
      const special = query.actor === '@system' || query.actor === '@anonymous';
      const [actor, subject] = await Promise.all([
        query.actor === undefined || special ? undefined : idOf(query.actor),
        query.subject === undefined ? undefined : idOf(query.subject),
      ]);
      // A filter naming nobody matches nothing.
      if (actor === null || subject === null) return { auditEvents: [], next: null };
      // One more than the page: whether a next page exists, without a count.
      const found = await auditLog.list({
        ...(query.action !== undefined && { action: query.action }),
        ...(special && { actor: query.actor === '@system' ? 'system' : 'anonymous' }),
        ...(actor !== undefined && { actor }),
        ...(subject !== undefined && { subject }),
        ...(query.before !== undefined && { before: query.before }),
        limit: query.limit + 1,
      });
      const auditEvents = found.slice(0, query.limit);
      const last = auditEvents.at(-1);
      return {
        auditEvents,
        next: found.length > query.limit && last !== undefined ? last.sequence : null,
      };
    },
  };
}
