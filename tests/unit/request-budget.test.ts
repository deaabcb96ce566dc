import { describe, expect, it } from 'vitest';
import {
  RequestBudgetSpentError,
  withinBudget,
  type RequestBudget,
} from '../../src/infrastructure/db/request-budget.js';
import { isDatabaseUnavailable } from '../../src/infrastructure/db/retry.js';

/** A budget of 3 s whose request began `elapsedMs` ago (none when undefined). */
function budgetFor(elapsedMs: number | undefined): RequestBudget {
  return {
    timeoutMs: 3_000,
    startedAt: () => (elapsedMs === undefined ? undefined : performance.now() - elapsedMs),
    queryTimeoutMs: 2_000,
  };
}

/** A `query` that records the config and values it was sent. */
function recordingQuery(): {
  readonly sent: unknown[][];
  readonly query: (config: unknown, values?: unknown) => Promise<unknown>;
} {
  const sent: unknown[][] = [];
  return {
    sent,
    query: (config, values) => {
      sent.push([config, values]);
      return Promise.resolve({ rows: [] });
    },
  };
}

describe("a statement within its request's time (spec.md §4)", () => {
  const statement = { name: 'page', text: 'select 1', rowMode: 'array' };

  it('is sent as it is outside a request', async () => {
    const { sent, query } = recordingQuery();
    await withinBudget(query, budgetFor(undefined))(statement, [1]);
    expect(sent).toEqual([[statement, [1]]]);
  });

  it('is sent as it is while more than a query_timeout is left', async () => {
    const { sent, query } = recordingQuery();
    await withinBudget(query, budgetFor(500))(statement, [1]);
    expect(sent[0]?.[0]).toBe(statement);
  });

  it('gets what is left as its query_timeout once that is less, its shared config untouched', async () => {
    const { sent, query } = recordingQuery();
    await withinBudget(query, budgetFor(2_500))(statement, [1]);
    const [config, values] = sent[0] ?? [];
    expect(values).toEqual([1]);
    expect(config).toMatchObject({ ...statement });
    const { query_timeout: timeout } = config as { query_timeout: number };
    expect(timeout).toBeGreaterThan(0);
    expect(timeout).toBeLessThanOrEqual(500);
    expect(statement).not.toHaveProperty('query_timeout');
  });

  it('is a config of its own when sent as text', async () => {
    const { sent, query } = recordingQuery();
    await withinBudget(query, budgetFor(2_900))('select 1');
    expect(sent[0]?.[0]).toMatchObject({ text: 'select 1', query_timeout: expect.any(Number) });
  });

  it('is not sent once the time is spent, and the request answers 503', async () => {
    const { sent, query } = recordingQuery();
    const refusal = withinBudget(query, budgetFor(3_000))(statement, [1]);
    await expect(refusal).rejects.toBeInstanceOf(RequestBudgetSpentError);
    expect(sent).toEqual([]);
    const wrapped = new Error('Failed query', { cause: new RequestBudgetSpentError() });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  it.each(['commit', 'rollback'])(
    "ends its transaction with the connection's own bounds, even past the time: %s",
    async (text) => {
      const { sent, query } = recordingQuery();
      await withinBudget(query, budgetFor(3_500))({ text }, undefined);
      expect(sent).toEqual([[{ text }, undefined]]);
    },
  );
});
