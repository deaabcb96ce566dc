import { sql, type Placeholder, type SQL, type SQLWrapper } from 'drizzle-orm';
import { MAX_PAGE_LIMIT, MAX_PAGE_OFFSET } from '../../domain/shared/pagination.js';

/*
 * PostgreSQL plans a prepared statement for its first five executions with the values bound,
 * then keeps one generic plan when that plan's estimated cost is no higher than theirs
 * (plan_cache_mode = auto). Keel's hot statements are written so that it does, and so that the
 * generic plan is the one wanted whoever the viewer is: planning a list page took more of the
 * database's time than running it (docs/performance.md). The pieces below are how (the feed,
 * whose best plan depends on its reader, adds its own: articles/article-queries.ts), and
 * tests/system/generic-plans.test.ts checks that every hot statement ends on a generic plan.
 */

/**
 * `true` when `lookup` (a select by primary key, correlated with the outer row) finds its row:
 * a scalar subquery, so each row of a page is one index probe. Written as EXISTS, the generic
 * plan would instead hash every row of the viewer (all the authors they follow, all their
 * favorites) per statement, since it sizes the viewer by the average: 2 692 follows hashed to
 * decorate 20 cards at size M.
 */
export function hasRow(lookup: SQLWrapper): SQL<boolean> {
  // sql: the lookup's single column is null exactly when the row is missing.
  return sql<boolean>`((${lookup}) is not null)`;
}

/** Drizzle renders whatever `limit()` and `offset()` are given as SQL; their types only name a placeholder. */
function asBound(expression: SQL): Placeholder {
  return expression as unknown as Placeholder;
}

/**
 * The largest page, written into the statement text: every plan is sized for at most this many
 * rows. (Drizzle binds a number given to `limit()` as a parameter, which a generic plan would
 * size as a tenth of the table.)
 */
// sql: a constant of Keel's own, never input, written in as a literal.
export const PAGE_CAP = asBound(sql`${MAX_PAGE_LIMIT}`.inlineParams());

/** The end of the deepest page a request may ask for, written in the same way. */
// sql: as above.
export const PAGE_REACH = asBound(sql`${MAX_PAGE_OFFSET + MAX_PAGE_LIMIT}`.inlineParams());

/**
 * A value no plan can see: `(select $n)`. For a LIMIT or OFFSET, a custom plan knows the bound
 * value (mostly an offset of 0) and a generic one assumes a tenth of the rows, so with plain
 * parameters the generic plan mostly looks dearer and PostgreSQL replans every execution.
 * Hidden from both, the two estimates are equal and the generic plan is kept.
 */
export function unplanned(bound: Placeholder): Placeholder {
  // sql: a scalar subquery, evaluated once per execution; typed, as a bare parameter is text.
  return asBound(sql`(select ${bound}::bigint)`);
}
