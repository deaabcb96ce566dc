import { and, asc, desc, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { AccountStatus } from '../../../domain/identity/account-status.js';
import type { AccountStanding } from '../../../domain/identity/ports.js';
import type { UserId } from '../../../domain/shared/ids.js';
import type { Username } from '../../../domain/shared/username.js';
import type { AuditAction } from '../../../domain/shared/audit.js';
import type { Role } from '../../../domain/shared/roles.js';
import type { Database } from '../database.js';
import { transaction } from '../transaction.js';
import { auditEventsTable as entries } from '../schema/audit.js';
import { usersTable } from '../schema/identity.js';

const ROLE_ACTIONS: readonly AuditAction[] = ['account.role_granted', 'account.role_revoked'];
const STATUS_ACTIONS: readonly AuditAction[] = ['account.suspended', 'account.reinstated'];

/**
 * The value `after` gives the account's latest entry among `actions` (newest first on
 * audit_events_subject_idx); `otherwise` when it has none: never granted a role, never suspended.
 */
function latest<T>(db: Database, actions: readonly AuditAction[], after: SQL<T>, otherwise: T) {
  const entry = db
    .select({ value: after })
    .from(entries)
    .where(and(eq(entries.subjectId, usersTable.id), inArray(entries.action, [...actions])))
    .orderBy(desc(entries.sequence))
    .limit(1);
  // sql: a scalar subquery with a default; the builder has no coalesce.
  return sql<T>`coalesce((${entry}), ${otherwise})`;
}

/**
 * The role and status every account's audit entries say it has (spec.md §8): the role its
 * latest grant gave it (`user` after a revocation, or with no entry), `suspended` after a
 * suspension not yet followed by a reinstatement. Written where the stored ones differ; returns
 * what it corrected.
 *
 * Every account row is locked first, in id order (the order every writer of `users` takes), so
 * no administration can change a standing or append its entry meanwhile, and none can deadlock
 * with this: each waits for the other's rows in the same order. Reads, and inserts that name an
 * account (foreign-key checks take KEY SHARE), go on; writes to account rows wait.
 */
export async function rebuildStandings(database: Database): Promise<AccountStanding[]> {
  return transaction(database, async (db) => {
    await db
      .select({ id: usersTable.id })
      .from(usersTable)
      .orderBy(asc(usersTable.id))
      .for('no key update');
    const role = latest<Role>(
      db,
      ROLE_ACTIONS,
      // sql: a grant leaves the granted role, a revocation leaves `user`; the role named with its
      // table, as `users` has one too.
      sql`case when ${entries.action} = 'account.role_granted' then ${entries}.${sql.identifier(entries.role.name)} else 'user'::user_role end`,
      'user',
    );
    const status = latest<AccountStatus>(
      db,
      STATUS_ACTIONS,
      // sql: a suspension leaves the account suspended, a reinstatement active (typed as the column).
      sql`case when ${entries.action} = 'account.suspended' then 'suspended'::account_status else 'active'::account_status end`,
      'active',
    );
    const corrected = await db
      .update(usersTable)
      .set({ role, status })
      .where(or(ne(usersTable.role, role), ne(usersTable.status, status)))
      .returning({
        id: usersTable.id,
        username: usersTable.username,
        role: usersTable.role,
        status: usersTable.status,
      });
    return corrected.map((row) => ({
      ...row,
      id: row.id as UserId,
      username: row.username as Username,
    }));
  });
}
