import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { roleEnum } from './identity.js';

/**
 * The audit stream (spec.md §8): append-only, each row holding the hash of the one before, so a
 * row changed, removed or inserted out of place breaks the chain (`npm run audit:verify`). A
 * trigger refuses UPDATE and DELETE for every role (drizzle/0006_audit.sql). No foreign keys: an
 * entry outlives the account it names.
 */
export const auditEventsTable = pgTable(
  'audit_events',
  {
    /** 1, 2, 3…: contiguous, so a removed row leaves a gap. */
    sequence: bigint('sequence', { mode: 'number' }).primaryKey(),
    action: text('action').notNull(),
    /** `user:<id>`, `system` (a command-line tool) or `anonymous` (a failed login). */
    actor: text('actor').notNull(),
    subjectId: integer('subject_id'),
    reason: text('reason'),
    /** The role an `account.role_granted` grants or an `account.role_revoked` takes away. */
    role: roleEnum('role'),
    requestId: text('request_id'),
    occurredAt: timestamp('occurred_at', { precision: 3, withTimezone: true }).notNull(),
    previousHash: text('previous_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (table) => [
    // The admin API's filters (by subject, by actor, by action), newest first; the projection of
    // role and status reads an account's entries by subject.
    index('audit_events_subject_idx').on(table.subjectId, table.sequence),
    index('audit_events_actor_idx').on(table.actor, table.sequence),
    index('audit_events_action_idx').on(table.action, table.sequence),
  ],
);

/**
 * The end of the chain, one row: every append locks it, so entries get their sequence and
 * previous hash one at a time, in commit order.
 */
export const auditChainHeadTable = pgTable(
  'audit_chain_head',
  {
    id: smallint('id').primaryKey(),
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
  },
  // sql: check constraint: there is one head.
  (table) => [check('audit_chain_head_single_check', sql`${table.id} = 1`)],
);
