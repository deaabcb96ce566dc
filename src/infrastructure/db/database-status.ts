import { desc } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { bigint, integer, pgSchema, text } from 'drizzle-orm/pg-core';
import type { DependencyStatus } from '../../core/health.js';
import { MIGRATIONS_FOLDER, type Database, type WarnLog } from './database.js';

// drizzle-kit's own bookkeeping table, described here, outside schema/, so that no migration
// ever tries to create it.
const migrationsTable = pgSchema('drizzle').table('__drizzle_migrations', {
  id: integer('id').primaryKey(),
  hash: text('hash').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }),
});

/** When the newest committed migration was generated: applied ones carry this stamp. */
const LATEST_MIGRATION =
  readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).at(-1)?.folderMillis ?? 0;

/**
 * Database readiness in one round trip: reachable, and migrated up to the newest committed
 * migration (a process started against an old schema must not take traffic).
 */
export async function databaseStatus(
  db: Database,
  log: WarnLog,
): Promise<readonly DependencyStatus[]> {
  let applied: number;
  try {
    const [latest] = await db
      .select({ createdAt: migrationsTable.createdAt })
      .from(migrationsTable)
      .orderBy(desc(migrationsTable.createdAt))
      .limit(1);
    applied = latest?.createdAt ?? 0;
  } catch (error) {
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    // The SQLSTATE only: the driver's message may quote the statement and its parameter.
    log.warn({ code }, 'readiness: database check failed');
    // 42P01: the bookkeeping table is missing, i.e. reachable but never migrated.
    if (code !== '42P01') {
      return [
        {
          name: 'database',
          ready: false,
          detail: typeof code === 'string' ? `unreachable (${code})` : 'unreachable',
        },
      ];
    }
    applied = 0;
  }
  const current = applied >= LATEST_MIGRATION;
  return [
    { name: 'database', ready: true, detail: 'reachable' },
    {
      name: 'migrations',
      ready: current,
      detail: current ? 'current' : 'pending: run npm run db:migrate',
    },
  ];
}
