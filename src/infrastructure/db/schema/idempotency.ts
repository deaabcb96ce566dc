import { sql } from 'drizzle-orm';
import {
  check,
  index,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/**
 * One row per idempotency key a caller has used (spec.md §4): claimed in the transaction of the
 * request's effect, answered before it commits, so a committed row always has its answer.
 */
export const idempotencyKeysTable = pgTable(
  'idempotency_keys',
  {
    /** Whose key it is: `user:<id>`, or `anonymous` for registration. */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** HMAC of the request (route, path parameters, canonical body) under a server-side key. */
    fingerprint: text('fingerprint').notNull(),
    status: smallint('status'),
    /** What the route keeps of its first answer (never a token). */
    answer: jsonb('answer'),
    createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.scope, table.key] }),
    // The hourly cleanup deletes by age.
    index('idempotency_keys_created_at_idx').on(table.createdAt),
    // sql: check constraint: an answer is a status and a body together, or not yet either.
    check(
      'idempotency_keys_answer_check',
      sql`(${table.status} is null) = (${table.answer} is null)`,
    ),
  ],
);
