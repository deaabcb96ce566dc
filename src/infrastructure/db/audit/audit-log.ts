import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import type { AuditAction, AuditLog } from '../../../domain/shared/audit.js';
import type { UserId } from '../../../domain/shared/ids.js';
import type { Database } from '../database.js';
import { auditEventsTable as entries } from '../schema/audit.js';
import { usersTable } from '../schema/identity.js';
import { actorAccount, actorRecord, storedActor } from './actor.js';

/**
 * The audit stream for the admin API: a page of entries newest first, each filter served by its
 * index (`audit_events_{action,actor,subject}_idx`, all ending in the sequence), then one lookup
 * of the usernames the page names (the stream keeps ids: a username can change).
 */
export function createAuditLog(database: Database): AuditLog {
  return {
    async list(filter) {
      const rows = await database
        .select()
        .from(entries)
        .where(
          and(
            filter.action === undefined ? undefined : eq(entries.action, filter.action),
            filter.actor === undefined ? undefined : eq(entries.actor, storedActor(filter.actor)),
            filter.subject === undefined ? undefined : eq(entries.subjectId, filter.subject),
            filter.before === undefined ? undefined : lt(entries.sequence, filter.before),
          ),
        )
        .orderBy(desc(entries.sequence))
        .limit(filter.limit);
      const ids = new Set<number>();
      for (const row of rows) {
        const actor = actorAccount(row.actor);
        if (actor !== undefined) ids.add(actor);
        if (row.subjectId !== null) ids.add(row.subjectId);
      }
      const named =
        ids.size === 0
          ? []
          : await database
              .select({ id: usersTable.id, username: usersTable.username })
              .from(usersTable)
              .where(inArray(usersTable.id, [...ids]));
      const usernames = new Map(named.map((user) => [user.id, user.username]));
      return rows.map((row) => ({
        sequence: row.sequence,
        action: row.action as AuditAction,
        actor: actorRecord(row.actor, usernames),
        subject:
          row.subjectId === null
            ? null
            : {
                id: row.subjectId as UserId,
                username: usernames.get(row.subjectId) ?? null,
              },
        role: row.role,
        reason: row.reason,
        requestId: row.requestId,
        occurredAt: row.occurredAt,
      }));
    },
  };
}
