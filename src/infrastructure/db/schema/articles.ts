import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { usersTable } from './identity.js';

/** Rows of `article_totals`; the migration that creates the table inserts them all. */
export const ARTICLE_TOTAL_SHARDS = 16;

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
    // The names of its tags, sorted: a copy of its article_tags links kept by the tag writes,
    // so a page of articles reads its tags from its own rows instead of a subquery per row.
    tagList: varchar('tag_list', { length: 50 }).array().notNull().default([]),
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
    // The "by tag" total and "in use" (> 0), kept exact by the tag writes.
    articlesCount: integer('articles_count').notNull().default(0),
  },
  (table) => [
    uniqueIndex('tags_name_key').on(table.name),
    // sql: check constraint; a counter below zero means a write forgot its other half.
    check('tags_articles_count_check', sql`${table.articlesCount} >= 0`),
  ],
);

/**
 * The global article total, split over `ARTICLE_TOTAL_SHARDS` rows (an article counts in row
 * `id % shards`), so concurrent publishes rarely wait for each other's counter lock.
 */
export const articleTotalsTable = pgTable(
  'article_totals',
  {
    shard: smallint('shard').primaryKey(),
    articles: integer('articles').notNull().default(0),
  },
  (table) => [
    // sql: check constraint; a counter below zero means a write forgot its other half.
    check('article_totals_articles_check', sql`${table.articles} >= 0`),
  ],
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
    // The article's created_at (which never changes), so a tag's page is read in list order
    // from one index instead of collecting and sorting every article with the tag.
    articleCreatedAt: timestamp('article_created_at', {
      precision: 3,
      withTimezone: true,
    }).notNull(),
  },
  (table) => [
    primaryKey({ name: 'article_tags_pkey', columns: [table.articleId, table.tagId] }),
    // The tag filter, newest first (read backwards).
    index('article_tags_tag_created_idx').on(table.tagId, table.articleCreatedAt, table.articleId),
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
    // The article's created_at, so "favorited by" pages in list order from one index.
    articleCreatedAt: timestamp('article_created_at', {
      precision: 3,
      withTimezone: true,
    }).notNull(),
  },
  (table) => [
    // The primary key answers "has the viewer favorited this".
    primaryKey({ name: 'favorites_pkey', columns: [table.userId, table.articleId] }),
    // "Favorited by X", newest article first (read backwards).
    index('favorites_user_created_idx').on(table.userId, table.articleCreatedAt, table.articleId),
    index('favorites_article_idx').on(table.articleId),
  ],
);
