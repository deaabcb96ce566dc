import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import { Counter } from 'prom-client';
import { lockNotAvailable } from './pg-errors.js';
import { RequestBudgetSpentError } from './request-budget.js';
import { insideUnitOfWork } from './unit-of-work.js';

/**
 * Failures after which PostgreSQL has rolled the transaction back, so running it again is safe,
 * each with the reason `db_retries_total` counts its retries under.
 */
const ROLLED_BACK = new Map([
  ['40001', 'serialization_failure'],
  ['40P01', 'deadlock'],
]);
/**
 * The connection broke under a statement (reset, ended by the server, refused): whether a write
 * committed is unknown, but a read can simply run again, on another connection.
 */
const CONNECTION_BROKEN = new Set([
  '08000',
  '08003',
  '08006',
  '57P01',
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
]);

/**
 * node-postgres's own reports of a connection that broke, which carry no code: the socket closed
 * under a statement (a crash, a failover, a balancer cutting it), or the client had already
 * failed.
 */
const BROKEN_MESSAGES = [
  'Connection terminated unexpectedly',
  'Client has encountered a connection error and is not queryable',
];

/**
 * node-postgres's reports of an answer that never came: not within `query_timeout` (a partition
 * drops packets without a reset), or a handshake not within the connect timeout. The connection
 * is as lost, but a read is not run again: another try would wait as long, so the request
 * answers 503 at once instead.
 */
const TIMED_OUT_MESSAGES = [
  'Query read timeout',
  'Connection terminated due to connection timeout',
];

/** `error` and the errors it wraps (Drizzle wraps the driver's as its cause), outermost first. */
function chainOf(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let current = error; chain.length < 5 && current instanceof Error; current = current.cause) {
    chain.push(current);
  }
  return chain;
}

/** The first code in `error`'s chain: a SQLSTATE, or a Node socket error's. */
function codeOf(error: unknown): string | undefined {
  for (const each of chainOf(error)) {
    const { code } = each as { code?: unknown };
    if (typeof code === 'string') return code;
  }
  return undefined;
}

const reports = (error: unknown, messages: readonly string[]): boolean =>
  chainOf(error).some((each) => messages.includes(each.message));

/** Transient for a write: the database guarantees nothing of it was kept. */
export function isRetryableWrite(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && ROLLED_BACK.has(code);
}

/** The connection under a statement broke, so the statement can run again on another one. */
function isConnectionBroken(error: unknown): boolean {
  const code = codeOf(error);
  return (code !== undefined && CONNECTION_BROKEN.has(code)) || reports(error, BROKEN_MESSAGES);
}

/**
 * The connection under a statement broke or never answered: the statement's outcome is unknown
 * and the connection must not be used again (`transaction` and the pool close it).
 */
export function isConnectionLost(error: unknown): boolean {
  return isConnectionBroken(error) || reports(error, TIMED_OUT_MESSAGES);
}

/**
 * PostgreSQL cancelled the statement (`statement_timeout`, or an operator's `pg_cancel_backend`):
 * it waited on a lock a long command holds, or the server is overloaded. The connection is fine.
 */
const QUERY_CANCELED = '57014';

/**
 * The database can't serve the request now: it can't be reached (refused, dropped, or no pooled
 * connection in time), it cancelled a statement that ran out of its time, or the request spent
 * its own (request-budget.ts). Not retried: another try would wait as long.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  // node-postgres's pool reports a connect timeout without a code.
  return (
    isConnectionLost(error) ||
    codeOf(error) === QUERY_CANCELED ||
    chainOf(error).some((each) => each instanceof RequestBudgetSpentError) ||
    chainOf(error).some((each) => each.message.includes('timeout exceeded when trying to connect'))
  );
}

/** Transient for a read: also a broken connection, since reading twice changes nothing. */
export function isRetryableRead(error: unknown): boolean {
  return isRetryableWrite(error) || isConnectionBroken(error);
}

/**
 * `db_retries_total{kind,reason}`: database work this process ran again, and why. A retry hides a
 * deadlock from the client, so this is where one shows. The policies below belong to the process,
 * so the counter does too; each app's registry serves it (core/app.ts).
 */
export const databaseRetries = new Counter({
  name: 'db_retries_total',
  help: 'Database work this process ran again: kind (write or read), reason (deadlock, serialization_failure, connection_lost)',
  labelNames: ['kind', 'reason'] as const,
  registers: [],
});

// Every series a policy below can produce starts at 0, so a rate over it never begins missing.
for (const reason of ROLLED_BACK.values()) {
  for (const kind of ['write', 'read']) databaseRetries.inc({ kind, reason }, 0);
}
databaseRetries.inc({ kind: 'read', reason: 'connection_lost' }, 0);

/** The reason a retry is counted under: a rolled-back failure's own, else a lost connection. */
function reasonOf(error: unknown): string {
  const code = codeOf(error);
  return (typeof code === 'string' ? ROLLED_BACK.get(code) : undefined) ?? 'connection_lost';
}

// At most 3 attempts, 50 ms to 500 ms apart with decorrelated jitter (cockatiel's default
// generator), so a retry storm spreads out and a request waits at most about a second more.
function policy(kind: 'write' | 'read', retryable: (error: unknown) => boolean): RetryPolicy {
  const retrying = retry(handleWhen(retryable), {
    maxAttempts: 2,
    backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
  });
  // handleWhen retries on errors only, so every event carries one.
  retrying.onRetry((event) => {
    if ('error' in event) databaseRetries.inc({ kind, reason: reasonOf(event.error) });
  });
  return retrying;
}

export const writeRetry: RetryPolicy = policy('write', isRetryableWrite);
export const readRetry: RetryPolicy = policy('read', isRetryableRead);

/**
 * The projection rebuild (projections/rebuild-projection.ts), run again whole when one of its
 * bounded lock waits ran out (the writes it waited for may be waiting for it) or PostgreSQL rolled
 * it back. More attempts than a request's, further apart: it is an operator's command, which
 * should get through while writes go on, not a client waiting for an answer.
 */
export const rebuildRetry: RetryPolicy = retry(
  handleWhen((error) => lockNotAvailable(error) || isRetryableWrite(error)),
  { maxAttempts: 20, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }) },
);

/**
 * `port` with every method run under `readRetry`. For read ports only: each method must be a
 * query with no side effect. Inside a unit of work a failure has aborted the transaction, so the
 * method runs once and the unit of work as a whole is what may run again.
 */
export function retryingReads<Port extends object>(port: Port): Port {
  const entries: [string, unknown][] = Object.entries(port);
  const wrapped = entries.map(([name, method]) => [
    name,
    typeof method === 'function'
      ? (...args: unknown[]): Promise<unknown> => {
          const call = (): Promise<unknown> =>
            (method as (...input: unknown[]) => Promise<unknown>)(...args);
          return insideUnitOfWork() ? call() : readRetry.execute(call);
        }
      : method,
  ]);
  // Same keys, each method with the same signature: only the retry around it is new.
  return Object.fromEntries(wrapped) as Port;
}
