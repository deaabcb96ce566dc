import { count, desc, eq } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../../src/infrastructure/db/database.js';
import { articlesTable, tagsTable } from '../../src/infrastructure/db/schema/articles.js';
import { commentsTable } from '../../src/infrastructure/db/schema/comments.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { followsTable } from '../../src/infrastructure/db/schema/profiles.js';

/** The parameters that make each hot read do the most work on a seeded database. */
export interface Heaviest {
  /** The tag on the most articles. */
  readonly tag: string;
  /** Who wrote the most articles. */
  readonly author: string;
  /** Who favorited the most articles. */
  readonly favoriter: string;
  /** Who follows the most authors. */
  readonly reader: { readonly id: number; readonly email: string; readonly follows: number };
  /** The article with the most comments. */
  readonly commented: { readonly id: number; readonly slug: string; readonly comments: number };
}

async function first<T>(rows: Promise<T[]>, what: string): Promise<T> {
  const [row] = await rows;
  if (row === undefined) throw new Error(`the database has no ${what}: seed it first`);
  return row;
}

/** What `npm run bench:plans` explains each read with, and the plans test reads with. */
export async function heaviestParameters(db: Database): Promise<Heaviest> {
  const mostBy = (counter: AnyPgColumn) =>
    first(
      db.select({ username: usersTable.username }).from(usersTable).orderBy(desc(counter)).limit(1),
      'users',
    );
  const [tag, author, favoriter, reader, commented] = await Promise.all([
    first(
      db
        .select({ name: tagsTable.name })
        .from(tagsTable)
        .orderBy(desc(tagsTable.articlesCount))
        .limit(1),
      'tags',
    ),
    mostBy(usersTable.articlesCount),
    mostBy(usersTable.favoritesCount),
    first(
      db
        .select({ id: usersTable.id, email: usersTable.email, follows: count() })
        .from(followsTable)
        .innerJoin(usersTable, eq(usersTable.id, followsTable.followerId))
        .groupBy(usersTable.id)
        .orderBy(desc(count()))
        .limit(1),
      'follows',
    ),
    first(
      db
        .select({ id: articlesTable.id, slug: articlesTable.slug, comments: count() })
        .from(commentsTable)
        .innerJoin(articlesTable, eq(articlesTable.id, commentsTable.articleId))
        .groupBy(articlesTable.id)
        .orderBy(desc(count()))
        .limit(1),
      'comments',
    ),
  ]);
  return {
    tag: tag.name,
    author: author.username,
    favoriter: favoriter.username,
    reader,
    commented,
  };
}
