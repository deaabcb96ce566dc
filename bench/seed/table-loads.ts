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
import { followsTable } from '../../src/infrastructure/db/schema/profiles.js';
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

function* users(dataset: Dataset, passwordHash: string): Generator<CopyValue[]> {
  const random = deriveRandom(dataset.seed, 'users');
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
      iso(joined),
      iso(joined),
    ];
  }
}

function* articles(dataset: Dataset): Generator<CopyValue[]> {
  const random = deriveRandom(dataset.seed, 'articles');
  const writeBody = createBodyWriter(random);
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
      iso(created),
      iso(random.chance(0.1) ? after(created, random) : created),
    ];
  }
}

function* articleTags(dataset: Dataset): Generator<CopyValue[]> {
  const random = deriveRandom(dataset.seed, 'article-tags');
  const zipf = createZipf(TAG_POOL.length, 1.1);
  const tagCounts = [1, 2, 2, 3, 3, 3, 4, 4, 5];
  for (let index = 0; index < dataset.size.articles; index++) {
    for (const tag of drawDistinct(random.pick(tagCounts), () => zipf(random))) {
      yield [index + 1, tag + 1];
    }
  }
}

function* pairs(dataset: Dataset, kind: 'follows' | 'favorites'): Generator<CopyValue[]> {
  const random = deriveRandom(dataset.seed, kind);
  const { source, target } = dataset[kind];
  for (let index = 0; index < source.length; index++) {
    const to = target[index] ?? 0;
    const since =
      kind === 'favorites'
        ? (dataset.articleCreatedAt[to] ?? DATASET_END_MS)
        : DATASET_END_MS - DATASET_SPAN_MS;
    yield [(source[index] ?? 0) + 1, to + 1, iso(after(since, random))];
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
      ['userId', 'articleId', 'createdAt'],
      dataset.favorites.source.length,
      () => pairs(dataset, 'favorites'),
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
    tableLoad(articleTagsTable, ['articleId', 'tagId'], size.articles * tagsPerArticle, () =>
      articleTags(dataset),
    ),
    tableLoad(
      followsTable,
      ['followerId', 'followeeId', 'createdAt'],
      dataset.follows.source.length,
      () => pairs(dataset, 'follows'),
    ),
    tableLoad(
      usersTable,
      ['id', 'username', 'email', 'passwordHash', 'bio', 'image', 'createdAt', 'updatedAt'],
      size.users,
      () => users(dataset, passwordHash),
    ),
    tableLoad(tagsTable, ['id', 'name'], TAG_POOL.length, () =>
      TAG_POOL.map((name, index) => [index + 1, name]),
    ),
  ];
}
