import { asc, eq, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../database.js';
import { articleTagsTable, tagsTable } from '../schema/articles.js';

/**
 * What `articles.tag_list` must hold for the article `articleId` names (an id, or the column of
 * an outer query): the names of its linked tags, sorted by the database's collation like every
 * other list of tag names. The writes store it; the projection's drift check and rebuild compare
 * with it.
 */
export function tagListOf(db: Database, articleId: number | AnyPgColumn): SQL<string[]> {
  // sql: ARRAY(subquery) has no builder.
  return sql<string[]>`array(${db
    .select({ name: tagsTable.name })
    .from(articleTagsTable)
    .innerJoin(tagsTable, eq(tagsTable.id, articleTagsTable.tagId))
    .where(eq(articleTagsTable.articleId, articleId))
    .orderBy(asc(tagsTable.name))})::varchar[]`;
}
