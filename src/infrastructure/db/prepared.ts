import { Column, is, SQL, Subquery, Table, type DriverValueDecoder, type Query } from 'drizzle-orm';
import type { PgSelectConfig, PreparedQueryConfig } from 'drizzle-orm/pg-core';
import type { ArticleId, CommentId, UserId } from '../../domain/shared/ids.js';
import type { Slug } from '../../domain/shared/slug.js';
import type { Database } from './database.js';
import { executorFor } from './unit-of-work.js';

/**
 * The values of the placeholders (`sql.placeholder(name)`) Keel's prepared statements use.
 * A type alias, not an interface: Drizzle's `execute` takes an index-signature-compatible type.
 */
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- see above
export type Bindings = {
  readonly viewer?: UserId | undefined;
  readonly limit?: number;
  readonly offset?: number;
  /** A list filter's value: a username or a tag. */
  readonly filter?: string | undefined;
  readonly slug?: Slug;
  readonly slugs?: readonly string[];
  readonly article?: ArticleId;
  readonly comment?: CommentId;
  readonly username?: string;
};

/** A Drizzle select: what `prepared` takes. */
interface Selection<Row> {
  /** Its configuration: the fields it writes into the statement, and its joins. */
  readonly _: { readonly config: PgSelectConfig };
  toSQL(): Query;
  /** Never called: it is where TypeScript reads the type of the select's rows from. */
  execute(): Promise<Row[]>;
}

/** Where one selected column goes in a row's object, and how its driver value is read. */
interface Slot {
  /** The nested objects it sits in (`['author']` for `author.username`), outermost first. */
  readonly parents: readonly string[];
  readonly key: string;
  readonly decoder: DriverValueDecoder<unknown, unknown>;
}

/** An object a row is mapped into, filled one column at a time: its shape is the selection's. */
// eslint-disable-next-line @typescript-eslint/no-restricted-types -- typed as Row once filled
type RowObject = Record<string, unknown>;

/**
 * A SQL expression as Drizzle keeps it: `mapWith` stores its decoder here, a property Drizzle's
 * typings mark internal. tests/integration/prepared.test.ts compares this mapping with
 * Drizzle's own, so a Drizzle that moved it would fail there.
 */
type DecodedSql = SQL & { readonly decoder: DriverValueDecoder<unknown, unknown> };

/** The decoder of a selected column, or `undefined` for a nested object of columns. */
function decoderOf(field: unknown): DriverValueDecoder<unknown, unknown> | undefined {
  if (is(field, Column)) return field;
  if (is(field, SQL)) return (field as DecodedSql).decoder;
  if (is(field, SQL.Aliased)) return (field.sql as DecodedSql).decoder;
  return undefined;
}

/**
 * The selection's columns in the order Drizzle writes them into the statement (key order).
 * Whole tables and subqueries, which Drizzle would expand, are refused rather than guessed at.
 */
function slotsOf(fields: object, parents: readonly string[] = []): Slot[] {
  return Object.entries(fields).flatMap(([key, field]: [string, unknown]) => {
    const decoder = decoderOf(field);
    if (decoder !== undefined) return [{ parents, key, decoder }];
    if (typeof field !== 'object' || field === null || is(field, Table) || is(field, Subquery)) {
      throw new Error(`prepared statements select columns and objects of them, not ${key}`);
    }
    return slotsOf(field, [...parents, key]);
  });
}

/**
 * Maps the rows the driver returns as arrays, column by column, with each column's decoder
 * resolved once. Drizzle's own mapping (`mapResultRow`) does the same, but works out each
 * cell's decoder again on every row, through a chain of `is()` checks: with the decoding itself
 * (a `Date` per timestamp), 15 % of Keel's busy CPU on a list page, against 6 % now
 * (docs/performance.md). A nested object is always built (`mapperOf`: inner joins only).
 */
function rowsMapper<Row>(slots: readonly Slot[]): (rows: unknown[][]) => Row[] {
  return (rows) =>
    rows.map((row) => {
      const mapped: RowObject = {};
      let index = 0;
      for (const { parents, key, decoder } of slots) {
        let target = mapped;
        for (const parent of parents) target = (target[parent] ??= {}) as RowObject;
        const value = row[index++];
        target[key] = value === null ? null : decoder.mapFromDriverValue(value);
      }
      return mapped as Row;
    });
}

/**
 * The mapping of `selection`'s rows. Only inner joins: Drizzle turns a left-joined object whose
 * columns are all null into `null`, which `rowsMapper` does not do.
 */
function mapperOf<Row>(name: string, selection: Selection<Row>): (rows: unknown[][]) => Row[] {
  const { fields, joins = [] } = selection._.config;
  if (joins.some((join) => join.joinType !== 'inner')) {
    throw new Error(`prepared statement ${name} joins other than inner`);
  }
  return rowsMapper(slotsOf(fields));
}

/**
 * The statement (text and placeholders) each name was prepared with in this process. PostgreSQL
 * keeps a named statement per connection, so one name with two texts would fail on whichever
 * connection saw the other first; this turns that into an error at start-up, naming the statement.
 */
const statements = new Map<string, Query>();

/**
 * The statement prepared as `name` in this process, if any: the bench's bare reads run Keel's
 * own statements through a bare driver with it (bench/ceilings/ceiling-app.ts).
 */
export function preparedQuery(name: string): Query | undefined {
  return statements.get(name);
}

/**
 * A statement built once and run with bindings: Drizzle does not rebuild its SQL on every
 * request, PostgreSQL parses and plans it once per pooled connection (a named prepared
 * statement) instead of once per execution, and its rows are mapped by `rowsMapper`. Inside a
 * unit of work it runs on that transaction, with the same name and text. `name` must be unique
 * per statement text.
 */
export function prepared<Row>(
  database: Database,
  name: string,
  build: (db: Database) => Selection<Row>,
): (bindings: Bindings) => Promise<Row[]> {
  const selection = build(database);
  const query = selection.toSQL();
  const known = statements.get(name);
  if (known !== undefined && known.sql !== query.sql) {
    throw new Error(`prepared statement ${name} was already prepared with another text`);
  }
  statements.set(name, query);
  const toRows = mapperOf(name, selection);
  const prepareOn = (db: Database, statement: Query) =>
    db._.session.prepareQuery<PreparedQueryConfig & { execute: Row[] }>(
      statement,
      undefined,
      name,
      true,
      toRows,
    );
  const statement = prepareOn(database, query);
  return (bindings) => {
    const executor = executorFor(database);
    return (executor === database ? statement : prepareOn(executor, query)).execute(bindings);
  };
}
