import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { articlesTable } from './articles.js';
import { usersTable } from './identity.js';

export const commentsTable = pgTable(
  'comments',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articlesTable.id, { onDelete: 'cascade' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('comments_article_created_idx').on(table.articleId, table.createdAt, table.id),
    index('comments_author_idx').on(table.authorId),
    // sql: check constraint mirroring the domain's length rule.
    check('comments_body_length_check', sql`length(trim(${table.body})) between 1 and 10000`),
  ],
);
