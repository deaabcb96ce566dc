import { and, desc, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { AccountStatus } from '../../../domain/identity/account-status.js';
import type { AuditAction } from '../../../domain/shared/audit.js';
import type { Role } from '../../../domain/shared/roles.js';
import type { Database } from '../database.js';
import { auditEventsTable as entries } from '../schema/audit.js';
import { usersTable } from '../schema/identity.js';

const ROLE_ACTIONS: readonly AuditAction[] = ['account.role_granted', 'account.role_revoked'];
const STATUS_ACTIONS: readonly AuditAction[] = ['account.suspended', 'account.reinstated'];

/** An account whose stored role or status differed from what its audit entries say. */
export interface StandingCorrection {
  readonly id: number;
  readonly username: string;
  readonly role: Role;
  readonly status: AccountStatus;
}

/**
 * The value `after` gives the account's latest entry among `actions` (newest first on
 * audit_events_subject_idx); `otherwise` when it has none: never granted a role, never suspended.
 * Drizzle writes the columns of `after` unqualified; inside this subquery an unqualified `role`
 * is the entry's, since a name resolves against the innermost FROM first.
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
 * suspension not yet followed by a reinstatement. Written where the stored ones differ, with
 * `users` locked against writes meanwhile (EXCLUSIVE: reads go on; an administration already
 * holding rows is waited for, so it can't deadlock with this), and returns what it corrected.
 */
export async function rebuildStandings(database: Database): Promise<StandingCorrection[]> {
  return database.transaction(async (db) => {
    // sql: LOCK TABLE has no builder; EXCLUSIVE blocks every other write, not reads.
    await db.execute(sql`lock table ${usersTable} in exclusive mode`);
    const role = latest<Role>(
      db,
      ROLE_ACTIONS,
      // sql: a grant leaves the granted role, a revocation leaves `user`.
      sql`case when ${entries.action} = 'account.role_granted' then ${entries.role} else 'user'::user_role end`,
      'user',
    );
    const status = latest<AccountStatus>(
      db,
      STATUS_ACTIONS,
      // sql: a suspension leaves the account suspended, a reinstatement active (typed as the column).
      sql`case when ${entries.action} = 'account.suspended' then 'suspended'::account_status else 'active'::account_status end`,
      'active',
    );
    return db
      .update(usersTable)
      .set({ role, status })
      .where(or(ne(usersTable.role, role), ne(usersTable.status, status)))
      .returning({
        id: usersTable.id,
        username: usersTable.username,
        role: usersTable.role,
        status: usersTable.status,
      });
  });
}
