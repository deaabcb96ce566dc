import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database } from './database.js';
import { transaction as runTransaction } from './transaction.js';

interface OpenUnit {
  readonly database: Database;
  readonly transaction: Database;
  readonly beforeCommit: (() => Promise<void>)[];
  readonly afterCommit: (() => Promise<void>)[];
}

const open = new AsyncLocalStorage<OpenUnit>();

/**
 * Runs `work` in one transaction on `database` that every repository and query of that database
 * joins when called from inside `work`, however deep (they ask `executorFor`). An idempotency-keyed
 * request uses it so its effect, its read-back and its stored answer commit together. Callbacks
 * queued with `beforeCommit` run last in the transaction, in the order they were queued; those
 * queued with `afterCommit` run once it has committed, never if it rolls back.
 */
export async function inUnitOfWork<T>(
  database: Database,
  work: (transaction: Database) => Promise<T>,
): Promise<T> {
  const beforeCommit: (() => Promise<void>)[] = [];
  const afterCommit: (() => Promise<void>)[] = [];
  const result = await runTransaction(database, (transaction) =>
    open.run({ database, transaction, beforeCommit, afterCommit }, async () => {
      const value = await work(transaction);
      for (const callback of beforeCommit) await callback();
      return value;
    }),
  );
  for (const callback of afterCommit) await callback();
  return result;
}

/** The transaction of the unit of work open on `database` here, if there is one. */
function openOn(database: Database): OpenUnit | undefined {
  const unit = open.getStore();
  return unit?.database === database ? unit : undefined;
}

/** What a repository of `database` runs its statements on: the open unit of work's transaction, else the database. */
export function executorFor(database: Database): Database {
  return openOn(database)?.transaction ?? database;
}

/** The transaction of the unit of work open on `database` here, if there is one. */
export function openTransactionOn(database: Database): Database | undefined {
  return openOn(database)?.transaction;
}

/** True inside a unit of work: a failed statement has aborted its transaction, so retrying one statement is pointless. */
export function insideUnitOfWork(): boolean {
  return open.getStore() !== undefined;
}

/**
 * Runs `work` in a unit of work of its own, or as part of the one open on `database` (which then
 * commits or rolls it back with everything else). Either way whatever `work` calls joins it: the
 * events a command records commit with its change.
 */
export function transactionOn<T>(
  database: Database,
  work: (transaction: Database) => Promise<T>,
  retrying: <R>(attempt: () => Promise<R>) => Promise<R>,
): Promise<T> {
  const unit = openOn(database);
  if (unit !== undefined) return work(unit.transaction);
  return retrying(() => inUnitOfWork(database, work));
}

/**
 * Runs `callback` as the last work of the open unit of work, just before its commit (at once
 * outside one). For writes to rows many transactions update, such as shared counters: a row lock
 * is held from the write until the commit, so the later the write, the shorter the wait of every
 * transaction queued behind it. The unit's own reads before then do not see the write. `callback`
 * must write through the open unit's transaction (a repository built on it, as every command's is).
 */
export async function beforeCommit(callback: () => Promise<void>): Promise<void> {
  const unit = open.getStore();
  if (unit === undefined) await callback();
  else unit.beforeCommit.push(callback);
}

/**
 * Runs `callback` once what has been written so far is committed: at once outside a unit of work,
 * after its commit inside one (a cache invalidated before the commit could be refilled with the
 * old value by a concurrent read).
 */
export async function afterCommit(callback: () => Promise<void>): Promise<void> {
  const unit = open.getStore();
  if (unit === undefined) await callback();
  else unit.afterCommit.push(callback);
}
