import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { usersTable } from './identity.js';

export const articlesTable = pgTable(
  'articles',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    slug: varchar('slug', { length: 120 }).notNull(),
    title: varchar('title', { length: 200 }).notNull(),
    description: varchar('description', { length: 1000 }).notNull(),
    body: text('body').notNull(),
    authorId: integer('author_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    // Kept exact by the favorite/unfavorite writes, so lists never count rows per request.
    favoritesCount: integer('favorites_count').notNull().default(0),
    createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('articles_slug_key').on(table.slug),
    // Newest first, ties broken by id (read backwards): the global list, per-author list, feed.
    index('articles_created_idx').on(table.createdAt, table.id),
    index('articles_author_created_idx').on(table.authorId, table.createdAt, table.id),
    // sql: check constraints mirroring the domain's "not blank" and "not negative" rules.
    check('articles_title_not_blank_check', sql`length(trim(${table.title})) > 0`),
    check('articles_body_length_check', sql`length(${table.body}) between 1 and 100000`),
    check('articles_favorites_count_check', sql`${table.favoritesCount} >= 0`),
  ],
);

export const tagsTable = pgTable(
  'tags',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: varchar('name', { length: 50 }).notNull(),
  },
  (table) => [uniqueIndex('tags_name_key').on(table.name)],
);

export const articleTagsTable = pgTable(
  'article_tags',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => articlesTable.id, { onDelete: 'cascade' }),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tagsTable.id, { onDelete: 'cascade' }),
  },
  (table) => [
    primaryKey({ name: 'article_tags_pkey', columns: [table.articleId, table.tagId] }),
    // Serves the tag filter and "which tags are in use".
    index('article_tags_tag_idx').on(table.tagId, table.articleId),
  ],
);

export const favoritesTable = pgTable(
  'favorites',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articlesTable.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // The primary key serves "favorited by X" and "has the viewer favorited this".
    primaryKey({ name: 'favorites_pkey', columns: [table.userId, table.articleId] }),
    index('favorites_article_idx').on(table.articleId),
  ],
);
