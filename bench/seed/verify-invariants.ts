import { count, eq, isNull } from 'drizzle-orm';
import { projectionDrift } from '../../src/infrastructure/db/projections/projection-drift.js';
import { articlesTable, articleTagsTable } from '../../src/infrastructure/db/schema/articles.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { followsTable } from '../../src/infrastructure/db/schema/profiles.js';
import type { Database } from '../../src/infrastructure/db/database.js';

/** An invariant the API relies on, and how many rows break it (0 when it holds). */
export interface InvariantCheck {
  readonly invariant: string;
  readonly violations: number;
}

async function countOf(query: PromiseLike<{ n: number }[]>): Promise<number> {
  const [row] = await query;
  return row?.n ?? 0;
}

/** Checks the loaded data the way the API reads it; each check is one aggregate query. */
export async function verifyInvariants(db: Database): Promise<InvariantCheck[]> {
  const checks: [string, PromiseLike<{ n: number }[]>][] = [
    [
      'no self-follows',
      db
        .select({ n: count() })
        .from(followsTable)
        .where(eq(followsTable.followerId, followsTable.followeeId)),
    ],
    [
      'every article has an author',
      db
        .select({ n: count() })
        .from(articlesTable)
        .leftJoin(usersTable, eq(usersTable.id, articlesTable.authorId))
        .where(isNull(usersTable.id)),
    ],
    [
      'every article has a tag',
      db
        .select({ n: count() })
        .from(articlesTable)
        .leftJoin(articleTagsTable, eq(articleTagsTable.articleId, articlesTable.id))
        .where(isNull(articleTagsTable.articleId)),
    ],
  ];
  const [graph, projection] = await Promise.all([
    Promise.all(
      checks.map(async ([invariant, query]) => ({ invariant, violations: await countOf(query) })),
    ),
    projectionDrift(db),
  ]);
  return [
    ...projection.map(({ column, rowsOff }) => ({
      invariant: `${column} is exact`,
      violations: rowsOff,
    })),
    ...graph,
  ];
}
