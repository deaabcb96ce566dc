import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import {
  articlesTable,
  articleTagsTable,
  favoritesTable,
  tagsTable,
} from '../../src/infrastructure/db/schema/articles.js';
import { commentsTable } from '../../src/infrastructure/db/schema/comments.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { feedTotalsTable, followsTable } from '../../src/infrastructure/db/schema/profiles.js';
import { slugify } from '../../src/domain/shared/slug.js';
import type { CopyValue } from './copy-format.js';
import {
  articleDescription,
  articleTitle,
  bio,
  bodyLength,
  commentBody,
  createBodyWriter,
  personName,
  TAG_POOL,
} from './corpus.js';
import { DATASET_END_MS, DATASET_SPAN_MS, type Dataset } from './dataset.js';
import { createZipf, deriveRandom, drawDistinct, type Random } from './random.js';

/** One table's rows, in the column order of `columns` (database names, from the Drizzle schema). */
export interface TableLoad {
  readonly name: string;
  readonly columns: readonly string[];
  readonly rowCount: number;
  rows(): Iterable<readonly CopyValue[]>;
}

/** Column names checked against the Drizzle schema, so a renamed column fails here, not in COPY. */
function tableLoad<T extends PgTable>(
  table: T,
  keys: readonly (keyof T['$inferSelect'] & string)[],
  rowCount: number,
  rows: () => Iterable<readonly CopyValue[]>,
): TableLoad {
  const columns: Readonly<Record<string, { readonly name: string }>> = getTableColumns(table);
  return {
    name: getTableName(table),
    columns: keys.map((key) => {
      const column = columns[key];
      if (column === undefined) throw new Error(`${getTableName(table)} has no column ${key}`);
      return column.name;
    }),
    rowCount,
    rows,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A moment between `from` and the end of the dataset. */
const after = (from: number, random: Random): number =>
  from + random.next() * (DATASET_END_MS - from);

/** How many times each index in `0 … length - 1` occurs in `indexes`. */
function tally(indexes: Iterable<number>, length: number): Int32Array {
  const counts = new Int32Array(length);
  for (const index of indexes) counts[index] = (counts[index] ?? 0) + 1;
  return counts;
}

function* users(dataset: Dataset, passwordHash: string): Generator<CopyValue[]> {
  const random = deriveRandom(dataset.seed, 'users');
  // The list counters the API keeps in its write transactions.
  const articlesCount = tally(dataset.articleAuthor, dataset.size.users);
  const favoritesCount = tally(dataset.favorites.source, dataset.size.users);
  for (let index = 0; index < dataset.size.users; index++) {
    const { first, last } = personName(random);
    const username = `${first}_${last}${String(index + 1)}`;
    const joined = DATASET_END_MS - DATASET_SPAN_MS - random.next() * 365 * 86_400_000;
    yield [
      index + 1,
      username,
      `${username}@example.com`,
      passwordHash,
      random.chance(0.6) ? bio(random) : null,
      random.chance(0.7) ? `https://images.example.com/avatars/${String(index + 1)}.jpg` : null,
      articlesCount[index] ?? 0,
      favoritesCount[index] ?? 0,
      iso(joined),
      iso(joined),
    ];
  }
}

/** Each article's tag names, sorted as `articles.tag_list` keeps them, from the same draws. */
function* tagNames(dataset: Dataset): Generator<readonly string[]> {
  for (const tags of tagDraws(dataset)) yield Array.from(tags, (tag) => TAG_POOL[tag] ?? '').sort();
}

function* articles(dataset: Dataset): Generator<CopyValue[]> {
  const random = deriveRandom(dataset.seed, 'articles');
  const writeBody = createBodyWriter(random);
  const tags = tagNames(dataset);
  for (let index = 0; index < dataset.size.articles; index++) {
    const title = articleTitle(random);
    const created = dataset.articleCreatedAt[index] ?? DATASET_END_MS;
    yield [
      index + 1,
      // The id in base 36 keeps seeded slugs unique, as the API's random suffix does.
      `${slugify(title)}-${(index + 1).toString(36)}`,
      title,
      articleDescription(random),
      writeBody(bodyLength(random)),
      (dataset.articleAuthor[index] ?? 0) + 1,
      dataset.favoritesCount[index] ?? 0,
      tags.next().value ?? [],
      iso(created),
      iso(random.chance(0.1) ? after(created, random) : created),
    ];
  }
}

/** Each article's tag indexes, article by article: the same draws every time it is called. */
function* tagDraws(dataset: Dataset): Generator<Int32Array> {
  const random = deriveRandom(dataset.seed, 'article-tags');
  const zipf = createZipf(TAG_POOL.length, 1.1);
  const tagCounts = [1, 2, 2, 3, 3, 3, 4, 4, 5];
  for (let index = 0; index < dataset.size.articles; index++) {
    yield drawDistinct(random.pick(tagCounts), () => zipf(random));
  }
}

function* articleTags(dataset: Dataset): Generator<CopyValue[]> {
  let article = 0;
  for (const tags of tagDraws(dataset)) {
    const created = iso(dataset.articleCreatedAt[article] ?? DATASET_END_MS);
    for (const tag of tags) yield [article + 1, tag + 1, created];
    article++;
  }
}

function* tags(dataset: Dataset): Generator<CopyValue[]> {
  // A second pass over the same draws counts each tag's articles.
  const articlesCount = new Int32Array(TAG_POOL.length);
  for (const tags of tagDraws(dataset)) {
    for (const tag of tags) articlesCount[tag] = (articlesCount[tag] ?? 0) + 1;
  }
  for (const [index, name] of TAG_POOL.entries()) {
    yield [index + 1, name, articlesCount[index] ?? 0];
  }
}

/** A feed total for every user who follows anyone: the articles of everyone they follow. */
function* feedTotals(dataset: Dataset): Generator<CopyValue[]> {
  const articlesCount = tally(dataset.articleAuthor, dataset.size.users);
  const totals = new Map<number, number>();
  const { source, target } = dataset.follows;
  for (let index = 0; index < source.length; index++) {
    const reader = source[index] ?? 0;
    totals.set(reader, (totals.get(reader) ?? 0) + (articlesCount[target[index] ?? 0] ?? 0));
  }
  for (const [reader, articles] of totals) yield [reader + 1, articles];
}

function* follows(dataset: Dataset): Generator<CopyValue[]> {
  const random = deriveRandom(dataset.seed, 'follows');
  const { source, target } = dataset.follows;
  for (let index = 0; index < source.length; index++) {
    const since = DATASET_END_MS - DATASET_SPAN_MS;
    yield [(source[index] ?? 0) + 1, (target[index] ?? 0) + 1, iso(after(since, random))];
  }
}

function* favorites(dataset: Dataset): Generator<CopyValue[]> {
  const random = deriveRandom(dataset.seed, 'favorites');
  const { source, target } = dataset.favorites;
  for (let index = 0; index < source.length; index++) {
    const article = target[index] ?? 0;
    const published = dataset.articleCreatedAt[article] ?? DATASET_END_MS;
    // Favorited after it was published; the article's created_at is copied for the list order.
    yield [(source[index] ?? 0) + 1, article + 1, iso(after(published, random)), iso(published)];
  }
}

function* comments(dataset: Dataset): Generator<CopyValue[]> {
  const random = deriveRandom(dataset.seed, 'comments');
  const { article, createdAt } = dataset.comments;
  for (let index = 0; index < article.length; index++) {
    const created = iso(createdAt[index] ?? DATASET_END_MS);
    yield [
      index + 1,
      (article[index] ?? 0) + 1,
      random.int(dataset.size.users) + 1,
      commentBody(random),
      created,
      created,
    ];
  }
}

/**
 * Every table's rows for `dataset`, biggest first (they take longest, so they start first).
 * Ids are explicit, so rows can reference each other before any is written.
 */
export function tableLoads(dataset: Dataset, passwordHash: string): readonly TableLoad[] {
  const { size } = dataset;
  const tagsPerArticle = 3; // the mean of the 1–5 tag counts drawn in articleTags
  return [
    tableLoad(
      favoritesTable,
      ['userId', 'articleId', 'createdAt', 'articleCreatedAt'],
      dataset.favorites.source.length,
      () => favorites(dataset),
    ),
    tableLoad(
      articlesTable,
      [
        'id',
        'slug',
        'title',
        'description',
        'body',
        'authorId',
        'favoritesCount',
        'tagList',
        'createdAt',
        'updatedAt',
      ],
      size.articles,
      () => articles(dataset),
    ),
    tableLoad(
      commentsTable,
      ['id', 'articleId', 'authorId', 'body', 'createdAt', 'updatedAt'],
      size.comments,
      () => comments(dataset),
    ),
    tableLoad(
      articleTagsTable,
      ['articleId', 'tagId', 'articleCreatedAt'],
      size.articles * tagsPerArticle,
      () => articleTags(dataset),
    ),
    tableLoad(feedTotalsTable, ['userId', 'articles'], size.users, () => feedTotals(dataset)),
    tableLoad(
      followsTable,
      ['followerId', 'followeeId', 'createdAt'],
      dataset.follows.source.length,
      () => follows(dataset),
    ),
    tableLoad(
      usersTable,
      [
        'id',
        'username',
        'email',
        'passwordHash',
        'bio',
        'image',
        'articlesCount',
        'favoritesCount',
        'createdAt',
        'updatedAt',
      ],
      size.users,
      () => users(dataset, passwordHash),
    ),
    tableLoad(tagsTable, ['id', 'name', 'articlesCount'], TAG_POOL.length, () => tags(dataset)),
  ];
}
