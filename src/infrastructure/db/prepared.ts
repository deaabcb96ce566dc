import { Column, is, SQL, type DriverValueDecoder, type Query } from 'drizzle-orm';
import type { PreparedQueryConfig } from 'drizzle-orm/pg-core';
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
  readonly article?: ArticleId;
  readonly comment?: CommentId;
  readonly username?: string;
};

/** A Drizzle select, inner joins only: what `prepared` takes. */
interface Selection<Row> {
  readonly _: { readonly selectedFields: object };
  toSQL(): Query;
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

/** The selection's columns in the order Drizzle writes them into the statement (key order). */
function slotsOf(fields: object, parents: readonly string[] = []): Slot[] {
  return Object.entries(fields).flatMap(([key, field]: [string, unknown]) => {
    const decoder = decoderOf(field);
    if (decoder !== undefined) return [{ parents, key, decoder }];
    if (typeof field !== 'object' || field === null) {
      throw new Error(`prepared statements select columns and objects of them, not ${key}`);
    }
    return slotsOf(field, [...parents, key]);
  });
}

/**
 * Maps the rows the driver returns as arrays, column by column, with each column's decoder
 * resolved once. Drizzle's own mapping does the same, but asks every cell of every row what
 * kind of field it came from, which cost a sixth of Keel's CPU on a list page
 * (docs/performance.md). A nested object is always built: the statements join inner only.
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
 * The text each statement name was prepared with in this process. PostgreSQL keeps a named
 * statement per connection, so one name with two texts would fail on whichever connection saw
 * the other first; this turns that into an error at start-up, naming the statement.
 */
const texts = new Map<string, string>();

/**
 * A statement built once and run with bindings: Drizzle does not rebuild its SQL on every
 * request, PostgreSQL parses and plans it once per pooled connection (a named prepared
 * statement) instead of once per execution, and its rows are mapped by `rowsMapper`. Inside a
 * unit of work it runs on that transaction (built for it, with the same name and text). `name`
 * must be unique per statement text.
 */
export function prepared<Row>(
  database: Database,
  name: string,
  build: (db: Database) => Selection<Row>,
): (bindings: Bindings) => Promise<Row[]> {
  const selection = build(database);
  const query = selection.toSQL();
  const known = texts.get(name);
  if (known !== undefined && known !== query.sql) {
    throw new Error(`prepared statement ${name} was already prepared with another text`);
  }
  texts.set(name, query.sql);
  const toRows = rowsMapper<Row>(slotsOf(selection._.selectedFields));
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
    return (
      executor === database ? statement : prepareOn(executor, build(executor).toSQL())
    ).execute(bindings);
  };
}
