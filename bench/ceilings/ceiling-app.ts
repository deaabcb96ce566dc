import type { PGlite } from '@electric-sql/pglite';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { fillPlaceholders, type Query } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { Type, type Static } from 'typebox';
import {
  createArticleQueries,
  statementNames,
} from '../../src/infrastructure/db/articles/article-queries.js';
import type { Database } from '../../src/infrastructure/db/database.js';
import { preparedQuery } from '../../src/infrastructure/db/prepared.js';
import { MultipleArticlesResponse } from '../../src/schemas/article.js';
import { PageQuery } from '../../src/schemas/common.js';

/**
 * The ceilings Keel is measured against, run as their own process by the bench: a bare
 * Fastify route returning a constant (framework ceiling), one running `select 1` on the
 * database Keel uses, through a node-postgres pool of Keel's size (framework + driver + one
 * round trip), the same answering a constant page of 20 article cards the size of a list page
 * (the cost of the bytes and their serialization, without Keel's queries and mapping), and a
 * route running Keel's own anonymous list statements, its rows mapped by position (the floor of
 * that list on this stack: framework + driver + the statements + the bytes, without Keel's
 * hooks, its validator, Drizzle's session and Keel's layers). Both pages are written through
 * Keel's response schema, as Keel's list is.
 */

const PageBounds = Type.Object(PageQuery);
type PageBounds = Static<typeof PageBounds>;

export interface CeilingDatabase {
  selectOne(): Promise<number>;
  /** A page of the global list, anonymous, as Keel's statements return it: rows as arrays. */
  listPage(bounds: PageBounds): Promise<{ readonly rows: unknown[][]; readonly total: number }>;
  close(): Promise<void>;
}

/** Runs one of Keel's statements with `bindings` for its placeholders; rows as arrays. */
type RunStatement = (
  name: string,
  statement: Query,
  bindings: Readonly<Record<string, unknown>>,
) => Promise<unknown[][]>;

/** Where a page row carries the list's total: after the card's 12 columns (`toPage`). */
const TOTAL_COLUMN = 12;

/** A statement Keel prepared in this process, by name. */
function keelStatement(name: string): Query {
  const statement = preparedQuery(name);
  if (statement === undefined) throw new Error(`Keel prepared no statement ${name}`);
  return statement;
}

/**
 * The anonymous global list as Keel reads it: its page statement and, for a page past the end,
 * its total alone. Both are built by Keel's own query code on `db`, which runs nothing here.
 */
function keelList(db: Database, run: RunStatement): CeilingDatabase['listPage'] {
  createArticleQueries(db);
  const page = keelStatement(statementNames.page('all', 'anonymous'));
  const total = keelStatement(statementNames.total('all'));
  return async ({ limit, offset }) => {
    const rows = await run('ceiling_list_page', page, { limit, offset });
    // A page past the end has no row to carry the total: it is read on its own, as Keel does.
    const count = rows[0]?.[TOTAL_COLUMN] ?? (await run('ceiling_list_total', total, {}))[0]?.[0];
    return { rows, total: Number(count ?? 0) };
  };
}

/** Timestamps read as Keel reads them: PostgreSQL's text, then a `Date` (Drizzle's mapping). */
const toDate = (text: string): Date => new Date(text);

/** The ceilings' database: a node-postgres pool of `poolSize` connections on `url`. */
export function postgresCeiling(url: string, poolSize: number): CeilingDatabase {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const types: pg.CustomTypesConfig = {
    getTypeParser: (oid, format) =>
      oid === pg.types.builtins.TIMESTAMPTZ
        ? toDate
        : // pg's own parser, typed `any` by @types/pg.
          (pg.types.getTypeParser(oid, format) as unknown),
  };
  // Named, as Drizzle runs Keel's statements: parsed and planned once per connection.
  const run: RunStatement = async (name, statement, bindings) =>
    (
      await pool.query<unknown[]>({
        name,
        text: statement.sql,
        values: fillPlaceholders(statement.params, bindings),
        rowMode: 'array',
        types,
      })
    ).rows;
  return {
    selectOne: async () => (await pool.query<{ one: number }>('select 1 as one')).rows[0]?.one ?? 0,
    listPage: keelList(drizzleNodePg({ client: pool }), run),
    close: () => pool.end(),
  };
}

/** The ceilings' database: an open PGlite (closed with the ceilings). */
export async function embeddedCeiling(client: PGlite): Promise<CeilingDatabase> {
  // Imported here: Drizzle's PGlite driver loads PGlite, which the PostgreSQL ceilings never use.
  const [{ drizzle: drizzlePglite }, { types }] = await Promise.all([
    import('drizzle-orm/pglite'),
    import('@electric-sql/pglite'),
  ]);
  const run: RunStatement = async (_name, statement, bindings) =>
    (
      await client.query<unknown[]>(statement.sql, fillPlaceholders(statement.params, bindings), {
        rowMode: 'array',
        parsers: { [types.TIMESTAMPTZ]: toDate },
      })
    ).rows;
  return {
    selectOne: async () =>
      (await client.query<{ one: number }>('select 1 as one')).rows[0]?.one ?? 0,
    listPage: keelList(drizzlePglite({ client }), run),
    close: () => client.close(),
  };
}

/**
 * Rows of Keel's list statement as cards, by position: the card columns in `cardColumns`'
 * order (article-queries.ts), then the list's total (`TOTAL_COLUMN`).
 * tests/integration/ceiling-list-page.test.ts and tests/system/ceiling-list-page.test.ts check
 * that the pages equal Keel's.
 */
function toPage(rows: readonly unknown[][], total: number): MultipleArticlesResponse {
  const articles = rows.map((row) => ({
    slug: row[0] as string,
    title: row[1] as string,
    description: row[2] as string,
    createdAt: row[3] as Date,
    updatedAt: row[4] as Date,
    favoritesCount: row[5] as number,
    favorited: row[6] as boolean,
    tagList: row[7] as string[],
    author: {
      username: row[8] as string,
      bio: row[9] as string | null,
      image: row[10] as string | null,
      following: row[11] as boolean,
    },
  }));
  return { articles, articlesCount: total };
}

/** The bare Fastify app serving the ceilings on `database`; closing it closes the database. */
export function ceilingApp(database: CeilingDatabase): FastifyInstance {
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
  const schema = {
    response: {
      200: { type: 'object', properties: { one: { type: 'integer' } }, required: ['one'] },
    },
  };
  /** A list page's shape and size: 20 cards with seeded-like text, an author and three tags. */
  const created = new Date('2025-11-02T10:15:30.123Z');
  const card = {
    slug: 'a-practical-guide-to-postgresql-indexes-for-busy-web-applications-2k9',
    title: 'A practical guide to PostgreSQL indexes for busy web applications',
    description:
      'What a B-tree index can and cannot do for the queries a web application runs all day.',
    tagList: ['database', 'performance', 'postgresql'],
    createdAt: created,
    updatedAt: created,
    favorited: false,
    favoritesCount: 42,
    author: {
      username: 'grace_hopper87',
      bio: 'Writes about databases, compilers and the craft of software.',
      image: 'https://images.example.com/avatars/87.jpg',
      following: false,
    },
  };
  const page: MultipleArticlesResponse = {
    articles: Array.from({ length: 20 }, () => card),
    articlesCount: 1_000_000,
  };
  const pageSchema = { response: { 200: MultipleArticlesResponse } };

  app.get('/constant', { schema }, () => ({ one: 1 }));
  app.get('/select-one', { schema }, async () => ({ one: await database.selectOne() }));
  app.get('/select-one-page', { schema: pageSchema }, async () => {
    await database.selectOne();
    return page;
  });
  app.get('/list-page', { schema: { ...pageSchema, querystring: PageBounds } }, async (request) => {
    const { rows, total } = await database.listPage(request.query);
    return toPage(rows, total);
  });
  app.addHook('onClose', () => database.close());
  return app;
}
