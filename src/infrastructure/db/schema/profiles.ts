import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, timestamp } from 'drizzle-orm/pg-core';
import { usersTable } from './identity.js';

export const followsTable = pgTable(
  'follows',
  {
    followerId: integer('follower_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    followeeId: integer('followee_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // The primary key serves "whom does X follow" (feed); the index serves "who follows X".
    primaryKey({ name: 'follows_pkey', columns: [table.followerId, table.followeeId] }),
    index('follows_followee_idx').on(table.followeeId),
    // sql: check constraint; following yourself is meaningless.
    check('follows_not_self_check', sql`${table.followerId} <> ${table.followeeId}`),
  ],
);
