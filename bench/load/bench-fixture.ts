import { and, count, desc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../src/infrastructure/db/database.js';
import {
  articlesTable,
  favoritesTable,
  tagsTable,
} from '../../src/infrastructure/db/schema/articles.js';
import { commentsTable } from '../../src/infrastructure/db/schema/comments.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { followsTable } from '../../src/infrastructure/db/schema/profiles.js';
import { deriveRandom, drawDistinct } from '../seed/random.js';

/** What the scenarios pick from: real names, slugs and tags of the seeded database. */
export interface BenchFixture {
  /** Users to log in as (their tokens drive every authenticated scenario). */
  readonly users: readonly { readonly username: string; readonly email: string }[];
  /** The readers who follow the most authors (the feed's worst realistic case). */
  readonly heavyReaders: readonly { readonly email: string; readonly follows: number }[];
  readonly authors: readonly string[];
  readonly favoriters: readonly string[];
  readonly slugs: readonly string[];
  /** The most favorited articles: favorite/unfavorite contends on them as on a live site. */
  readonly popularSlugs: readonly string[];
  /**
   * Which of `users` already favorited which of `popularSlugs`: favorite/unfavorite leaves these
   * pairs alone, since favoriting one again inserts nothing and unfavoriting it deletes a seeded
   * row.
   */
  readonly favoritedPopular: readonly { readonly email: string; readonly slug: string }[];
  /** The most commented articles. */
  readonly commentedSlugs: readonly string[];
  readonly tags: readonly string[];
}

export interface FixtureSizes {
  readonly users: number;
  readonly heavyReaders: number;
  readonly slugs: number;
}

/** Random ids in 1..max, so samples spread over the whole table; max comes from a count. */
async function sampleIds(
  db: Database,
  table: typeof usersTable | typeof articlesTable,
  wanted: number,
  seed: number,
): Promise<number[]> {
  const [row] = await db.select({ n: count() }).from(table);
  const random = deriveRandom(seed, `fixture-${String(wanted)}`);
  const max = row?.n ?? 0;
  return Array.from(drawDistinct(Math.min(wanted, max), () => random.int(max) + 1));
}

/** Reads a deterministic sample of the seeded data (a few indexed queries, whatever the size). */
export async function loadFixture(
  db: Database,
  sizes: FixtureSizes,
  seed: number,
): Promise<BenchFixture> {
  const userIds = await sampleIds(db, usersTable, sizes.users, seed);
  const articleIds = await sampleIds(db, articlesTable, sizes.slugs, seed);
  const users = await db
    .select({ id: usersTable.id, username: usersTable.username, email: usersTable.email })
    .from(usersTable)
    .where(inArray(usersTable.id, userIds))
    .orderBy(usersTable.id);
  const heavyReaders = await db
    .select({ email: usersTable.email, follows: count() })
    .from(followsTable)
    .innerJoin(usersTable, eq(usersTable.id, followsTable.followerId))
    .groupBy(usersTable.id)
    .orderBy(desc(count()), usersTable.id)
    .limit(sizes.heavyReaders);
  const authors = await db
    .selectDistinct({ username: usersTable.username })
    .from(articlesTable)
    .innerJoin(usersTable, eq(usersTable.id, articlesTable.authorId))
    .where(inArray(articlesTable.id, articleIds));
  const favoriters = await db
    .selectDistinct({ username: usersTable.username })
    .from(favoritesTable)
    .innerJoin(usersTable, eq(usersTable.id, favoritesTable.userId))
    .where(inArray(favoritesTable.userId, userIds));
  const slugs = await db
    .select({ slug: articlesTable.slug })
    .from(articlesTable)
    .where(inArray(articlesTable.id, articleIds));
  const popular = await db
    .select({ id: articlesTable.id, slug: articlesTable.slug })
    .from(articlesTable)
    .orderBy(desc(articlesTable.favoritesCount), articlesTable.id)
    .limit(50);
  const favoritedPopular = await db
    .select({ email: usersTable.email, slug: articlesTable.slug })
    .from(favoritesTable)
    .innerJoin(usersTable, eq(usersTable.id, favoritesTable.userId))
    .innerJoin(articlesTable, eq(articlesTable.id, favoritesTable.articleId))
    .where(
      and(
        inArray(favoritesTable.userId, userIds),
        inArray(
          favoritesTable.articleId,
          popular.map((row) => row.id),
        ),
      ),
    );
  const commented = await db
    .select({ slug: articlesTable.slug })
    .from(commentsTable)
    .innerJoin(articlesTable, eq(articlesTable.id, commentsTable.articleId))
    .groupBy(articlesTable.id)
    .orderBy(desc(count()), articlesTable.id)
    .limit(5);
  const tags = await db.select({ name: tagsTable.name }).from(tagsTable).orderBy(tagsTable.id);
  return {
    users: users.map(({ username, email }) => ({ username, email })),
    heavyReaders,
    authors: authors.map((row) => row.username),
    favoriters: favoriters.map((row) => row.username),
    slugs: slugs.map((row) => row.slug),
    popularSlugs: popular.map((row) => row.slug),
    favoritedPopular,
    commentedSlugs: commented.map((row) => row.slug),
    tags: tags.map((row) => row.name),
  };
}
