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

/** A Drizzle query that can be prepared under a name. */
interface Preparable<Result> {
  prepare(name: string): { execute(bindings?: Bindings): Promise<Result> };
  toSQL(): { sql: string };
}

/**
 * The text each statement name was prepared with in this process. PostgreSQL keeps a named
 * statement per connection, so one name with two texts would fail on whichever connection saw
 * the other first; this turns that into an error at start-up, naming the statement.
 */
const texts = new Map<string, string>();

/**
 * A statement built once and run with bindings: Drizzle does not rebuild its SQL on every
 * request, and PostgreSQL parses and plans it once per pooled connection (a named prepared
 * statement) instead of once per execution. Inside a unit of work it runs on that transaction
 * (built for it, with the same name and text). `name` must be unique per statement text.
 */
export function prepared<Result>(
  database: Database,
  name: string,
  build: (db: Database) => Preparable<Result>,
): (bindings: Bindings) => Promise<Result> {
  const query = build(database);
  const text = query.toSQL().sql;
  const known = texts.get(name);
  if (known !== undefined && known !== text) {
    throw new Error(`prepared statement ${name} was already prepared with another text`);
  }
  texts.set(name, text);
  const statement = query.prepare(name);
  return (bindings) => {
    const executor = executorFor(database);
    return (executor === database ? statement : build(executor).prepare(name)).execute(bindings);
  };
}
