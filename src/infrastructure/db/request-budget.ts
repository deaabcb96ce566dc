/**
 * The time all of one request's statements may take together (`DATABASE_REQUEST_TIMEOUT_MS`,
 * spec.md §4). Each statement is bounded by `query_timeout` alone, so a request of several round
 * trips on a slow network added them up: an edit of seven, each answered 1.3 s late, took 9 s,
 * long after its client and any balancer had given up.
 */
export interface RequestBudget {
  readonly timeoutMs: number;
  /**
   * When the request being served began (`performance.now()`), read where a statement is sent:
   * the request's own async context, never the pool's, whose queue hands a freed connection to
   * the next waiter in the context of the request that freed it. A Drizzle query is sent where it
   * is awaited, so it must be awaited inside the request (every call site is, in its handler).
   * `undefined` outside a request (the outbox relay, housekeeping, the commands), which only the
   * per-statement bounds limit.
   */
  readonly startedAt: () => number | undefined;
  /** The connection's own `query_timeout`: a statement never gets longer than that. */
  readonly queryTimeoutMs: number;
}

/** A statement not sent because its request had spent its time; answered 503 like a timeout. */
export class RequestBudgetSpentError extends Error {
  constructor() {
    super("the request's database time is spent");
    this.name = 'RequestBudgetSpentError';
  }
}

/** What is left of the request's time, in milliseconds; `undefined` outside a request. */
export function remainingOf(budget: RequestBudget): number | undefined {
  const startedAt = budget.startedAt();
  return startedAt === undefined ? undefined : startedAt + budget.timeoutMs - performance.now();
}

/**
 * A transaction's COMMIT or ROLLBACK, which keeps the connection's own bounds whatever is left:
 * a COMMIT cut short may have committed all the same, so a write kept would be answered 503, and
 * a ROLLBACK is the cleanup after a statement that failed. The request spent its time on the
 * statements before, which the budget did bound.
 */
function endsTransaction(config: unknown): boolean {
  const text = typeof config === 'string' ? config : (config as { text?: unknown }).text;
  return typeof text === 'string' && /^\s*(?:commit|rollback)\b/i.test(text);
}

/** A node-postgres `query` in its promise form, as Drizzle calls it. */
export type Query = (config: unknown, values?: unknown) => Promise<unknown>;

/**
 * `query` with each statement given at most what is left of its request's time, as its
 * `query_timeout` (node-postgres reads it per statement, over the connection's): one that gets
 * no answer by then fails as a statement past `query_timeout` does, a lost connection. With
 * nothing left, the statement is not sent. The config is copied, never changed: Drizzle keeps
 * one per prepared statement, which every request shares.
 */
export function withinBudget(query: Query, budget: RequestBudget): Query {
  return async (config, values) => {
    const remaining = remainingOf(budget);
    if (remaining === undefined || remaining >= budget.queryTimeoutMs) return query(config, values);
    if (endsTransaction(config)) return query(config, values);
    if (remaining <= 0) throw new RequestBudgetSpentError();
    const statement = typeof config === 'string' ? { text: config } : (config as object);
    return query({ ...statement, query_timeout: Math.ceil(remaining) }, values);
  };
}
