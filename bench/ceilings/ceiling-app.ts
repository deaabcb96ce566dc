import type { PGlite } from '@electric-sql/pglite';
import { fillPlaceholders, type Query } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { preparedQuery } from '../../src/infrastructure/db/prepared.js';
import { MultipleArticlesResponse } from '../../src/schemas/article.js';
import { addBareReads, prepareKeelStatements, type RunStatement } from './bare-reads.js';

/**
 * The ceilings Keel is measured against, run as their own process by the bench: a bare
 * Fastify route returning a constant (framework ceiling), one running `select 1` on the
 * database Keel uses, through a node-postgres pool of Keel's size (framework + driver + one
 * round trip), the same answering a constant page of 20 article cards the size of a list page
 * (the cost of the bytes and their serialization, without Keel's queries and mapping), and Keel's
 * list reads served bare (bare-reads.ts: the floor of each on this stack, its own statements and
 * bytes without Keel's hooks, validator, session and layers). Every page is written through
 * Keel's response schema, as Keel's lists are.
 */

export interface CeilingDatabase {
  selectOne(): Promise<number>;
  /** Keel's statements, built on this database's driver and run on it by name. */
  readonly run: RunStatement;
  close(): Promise<void>;
}

/** A statement Keel prepared in this process, by name. */
function keelStatement(name: string): Query {
  const statement = preparedQuery(name);
  if (statement === undefined) throw new Error(`Keel prepared no statement ${name}`);
  return statement;
}

/** Timestamps read as Keel reads them: PostgreSQL's text, then a `Date` (Drizzle's mapping). */
const toDate = (text: string): Date => new Date(text);

/** The ceilings' database: a node-postgres pool of `poolSize` connections on `url`. */
export function postgresCeiling(url: string, poolSize: number): CeilingDatabase {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  prepareKeelStatements(drizzleNodePg({ client: pool }));
  const types: pg.CustomTypesConfig = {
    getTypeParser: (oid, format) =>
      oid === pg.types.builtins.TIMESTAMPTZ
        ? toDate
        : // pg's own parser, typed `any` by @types/pg.
          (pg.types.getTypeParser(oid, format) as unknown),
  };
  return {
    selectOne: async () => (await pool.query<{ one: number }>('select 1 as one')).rows[0]?.one ?? 0,
    // Named, as Drizzle runs Keel's statements: parsed and planned once per connection.
    run: async (name, bindings) => {
      const statement = keelStatement(name);
      const { rows } = await pool.query<unknown[]>({
        name,
        text: statement.sql,
        values: fillPlaceholders(statement.params, bindings),
        rowMode: 'array',
        types,
      });
      return rows;
    },
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
  prepareKeelStatements(drizzlePglite({ client }));
  return {
    selectOne: async () =>
      (await client.query<{ one: number }>('select 1 as one')).rows[0]?.one ?? 0,
    run: async (name, bindings) => {
      const statement = keelStatement(name);
      const { rows } = await client.query<unknown[]>(
        statement.sql,
        fillPlaceholders(statement.params, bindings),
        { rowMode: 'array', parsers: { [types.TIMESTAMPTZ]: toDate } },
      );
      return rows;
    },
    close: () => client.close(),
  };
}

/**
 * The bare Fastify app serving the ceilings on `database`, the bare reads taking tokens signed
 * with `tokenSecret` (Keel's); closing it closes the database.
 */
export function ceilingApp(database: CeilingDatabase, tokenSecret: string): FastifyInstance {
  const app = Fastify({ logger: false });
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
  addBareReads(app, database.run, tokenSecret);
  app.addHook('onClose', () => database.close());
  return app;
}
