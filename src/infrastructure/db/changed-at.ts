import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * The stamp of a change to a row, from the database clock so that every instance stamps from one
 * source of time: when the change's statement began, not its transaction (`now()`), and never
 * earlier than the stamp it replaces, which PostgreSQL reads from the newest version of the row
 * once a concurrent change to it has committed. So a change that waited for another's lock is
 * stamped no earlier than it, and `updatedAt` does not move back even if the clock does.
 */
export function changedAt(stamp: AnyPgColumn): SQL {
  // sql: statement_timestamp() and greatest() have no Drizzle builder.
  return sql`greatest(statement_timestamp(), ${stamp})`;
}
