import type { DatasetSize } from './dataset-sizes.js';
import {
  createZipf,
  deriveRandom,
  drawDistinct,
  heavyTailedCounts,
  shuffledIndexes,
  type Random,
} from './random.js';

/** The newest seeded timestamp; fixed, so the same seed gives the same rows on any day. */
export const DATASET_END_MS = Date.UTC(2026, 0, 1);
/** Seeded activity spans the three years before `DATASET_END_MS`. */
export const DATASET_SPAN_MS = 3 * 365 * 86_400_000;
/** A popular post gets hundreds of comments, not a hundred thousand: the comments list is unpaged. */
export const MAX_COMMENTS_PER_ARTICLE = 200;

/** Directed pairs (follower → followee, user → article) as 0-based indexes, sorted by source. */
export interface Pairs {
  readonly source: Int32Array;
  readonly target: Int32Array;
}

/**
 * The shape of a dataset, without its text: who wrote, follows and favorites what, and when.
 * Articles are in creation order, so ids grow with time as they do in a live database.
 */
export interface Dataset {
  readonly size: DatasetSize;
  readonly seed: number;
  readonly articleAuthor: Int32Array;
  readonly articleCreatedAt: Float64Array;
  readonly favoritesCount: Int32Array;
  readonly follows: Pairs;
  readonly favorites: Pairs;
  /** Comments in creation order. */
  readonly comments: { readonly article: Int32Array; readonly createdAt: Float64Array };
}

/** For each source, its heavy-tailed number of distinct targets drawn from `drawTarget`. */
function buildPairs(counts: Int32Array, drawTarget: () => number, excludeSelf: boolean): Pairs {
  const source: number[] = [];
  const target: number[] = [];
  counts.forEach((count, index) => {
    for (const chosen of drawDistinct(count, drawTarget, excludeSelf ? index : -1)) {
      source.push(index);
      target.push(chosen);
    }
  });
  return { source: Int32Array.from(source), target: Int32Array.from(target) };
}

/** A Zipf draw over `n` entities whose popularity order is a seeded shuffle. */
function popularityDraw(n: number, exponent: number, random: Random): () => number {
  const byRank = shuffledIndexes(n, random);
  const zipf = createZipf(n, exponent);
  return () => byRank[zipf(random)] ?? 0;
}

function planComments(
  size: DatasetSize,
  drawArticle: () => number,
  articleCreatedAt: Float64Array,
  random: Random,
): Dataset['comments'] {
  const perArticle = new Int32Array(size.articles);
  const article = new Int32Array(size.comments);
  const createdAt = new Float64Array(size.comments);
  for (let index = 0; index < size.comments; index++) {
    // Popular articles attract comments until they reach the cap; then the comment goes elsewhere.
    let chosen = drawArticle();
    for (
      let retry = 0;
      retry < 10 && (perArticle[chosen] ?? 0) >= MAX_COMMENTS_PER_ARTICLE;
      retry++
    ) {
      chosen = random.int(size.articles);
    }
    perArticle[chosen] = (perArticle[chosen] ?? 0) + 1;
    article[index] = chosen;
    const published = articleCreatedAt[chosen] ?? DATASET_END_MS;
    createdAt[index] = published + random.next() * (DATASET_END_MS - published);
  }
  const order = Int32Array.from(article.keys()).sort(
    (left, right) => (createdAt[left] ?? 0) - (createdAt[right] ?? 0),
  );
  return {
    article: order.map((index) => article[index] ?? 0),
    createdAt: Float64Array.from(order, (index) => createdAt[index] ?? 0),
  };
}

/**
 * Plans a dataset of `size` from `seed`. Authors, followees and favorited articles follow Zipf
 * popularity; how many users each user follows or favorites is heavy-tailed, so a few readers
 * follow hundreds while most follow a handful.
 */
export function planDataset(size: DatasetSize, seed: number): Dataset {
  const random = deriveRandom(seed, 'graph');
  // One popularity order for people: prolific authors are also the most followed.
  const drawUser = popularityDraw(size.users, 0.9, random);
  const drawArticle = popularityDraw(size.articles, 0.9, random);

  const articleAuthor = Int32Array.from({ length: size.articles }, drawUser);
  const step = DATASET_SPAN_MS / size.articles;
  const articleCreatedAt = Float64Array.from(
    { length: size.articles },
    (_, index) => DATASET_END_MS - DATASET_SPAN_MS + (index + random.next()) * step,
  );

  const follows = buildPairs(
    heavyTailedCounts(size.users, size.follows, Math.floor(size.users / 2), random),
    drawUser,
    true,
  );
  const favorites = buildPairs(
    heavyTailedCounts(size.users, size.favorites, Math.min(size.articles, 5_000), random),
    drawArticle,
    false,
  );
  const favoritesCount = new Int32Array(size.articles);
  for (const article of favorites.target) {
    favoritesCount[article] = (favoritesCount[article] ?? 0) + 1;
  }
  return {
    size,
    seed,
    articleAuthor,
    articleCreatedAt,
    favoritesCount,
    follows,
    favorites,
    comments: planComments(size, drawArticle, articleCreatedAt, random),
  };
}
