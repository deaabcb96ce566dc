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
}

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
  const statement = build(database).prepare(name);
  return (bindings) => {
    const executor = executorFor(database);
    return (executor === database ? statement : build(executor).prepare(name)).execute(bindings);
  };
}
