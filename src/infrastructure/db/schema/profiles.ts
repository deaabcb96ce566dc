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
    // The primary key serves "whom does X follow" (feed); the index serves "who follows X", in
    // follower order for the notification pages.
    primaryKey({ name: 'follows_pkey', columns: [table.followerId, table.followeeId] }),
    index('follows_followee_idx').on(table.followeeId, table.followerId),
    // sql: check constraint; following yourself is meaningless.
    check('follows_not_self_check', sql`${table.followerId} <> ${table.followeeId}`),
  ],
);

/**
 * The feed's total per reader: the articles of everyone they follow. A row of its own, apart
 * from `users`, so a publish's fan-out to thousands of followers never waits on (or blocks)
 * those users' own writes. Created by the reader's first follow; kept by follow, unfollow,
 * publish and delete (spec.md §3).
 */
export const feedTotalsTable = pgTable(
  'feed_totals',
  {
    userId: integer('user_id')
      .primaryKey()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    articles: integer('articles').notNull().default(0),
  },
  (table) => [
    // sql: check constraint; a counter below zero means a write forgot its other half.
    check('feed_totals_articles_check', sql`${table.articles} >= 0`),
  ],
);
