import { describe, expect, it } from 'vitest';
import { HOT_READS } from '../../bench/load/list-reads.js';
import { formatBudgets, judgeBudgets } from '../../bench/report/budgets.js';
import type { BenchRun, ScenarioResult } from '../../bench/report/bench-results.js';
import { benchRun, scenarioResult } from '../helpers/bench-report.js';

function result(
  name: string,
  requestsPerSecond: number,
  p99: number,
  failed = false,
): ScenarioResult {
  return scenarioResult(name, requestsPerSecond, {
    latencyMs: { p50: p99 / 2, p90: p99, p99, max: p99 * 2 },
    non2xx: failed ? 1 : 0,
    statusCodes: {},
    failed,
  });
}

/** A run where every hot read serves `rate` per second with a p99 of `p99`, the ceiling 1 000. */
function run(
  size: string,
  rate: number,
  p99: number,
  changed: Partial<Record<string, ScenarioResult>> = {},
): BenchRun {
  return benchRun(size, {
    ceilings: [result('ceiling: select 1', 1_000, 2)],
    scenarios: [
      ...HOT_READS.map((name) => changed[name] ?? result(name, rate, p99)),
      result('login', 50, 300),
    ],
  });
}

describe('the bench budgets', () => {
  it('hold when every hot read is flat from S to L, at 25 % of select 1 at M, without errors', () => {
    const [verdicts] = judgeBudgets({
      runs: [run('s', 400, 10), run('m', 250, 12), run('l', 300, 20)],
    }).values();
    expect(verdicts).toHaveLength(1 + 2 * HOT_READS.length);
    expect(verdicts?.every((verdict) => verdict.holds)).toBe(true);
  });

  it('name each read that fails a budget, and the errors of any size', () => {
    const report = {
      runs: [
        run('s', 400, 10, { feed: result('feed', 400, 10, true) }),
        run('m', 300, 12, { tags: result('tags', 249, 12) }),
        run('l', 300, 20, { profile: result('profile', 300, 20.5) }),
      ],
    };
    const verdicts = judgeBudgets(report).get('postgres') ?? [];
    const failing = verdicts.filter((verdict) => verdict.holds === false);
    expect(failing).toEqual([
      {
        budget: 'no errors, at any size',
        scenario: 'every scenario',
        measured: 'S feed',
        holds: false,
      },
      { budget: 'p99 at L within 2× of S', scenario: 'profile', measured: '2.05×', holds: false },
      {
        budget: 'at M, at least 25 % of select 1',
        scenario: 'tags',
        measured: '24.9 %',
        holds: false,
      },
    ]);
    expect(formatBudgets(report)).toMatch(
      /\| at M, at least 25 % of select 1 +\| tags +\| 24.9 % +\| FAILS +\|/,
    );
  });

  it('leave a budget unjudged when the run lacks the sizes it needs', () => {
    const verdicts = judgeBudgets({ runs: [run('s', 400, 10)] }).get('postgres') ?? [];
    expect(verdicts[0]?.holds).toBe(true);
    expect(verdicts.slice(1).map((verdict) => verdict.holds)).toEqual(
      Array.from({ length: 2 * HOT_READS.length }, () => undefined),
    );
    expect(formatBudgets({ runs: [run('s', 400, 10)] })).toContain('needs size S and L');
  });

  it("show beside a list read's share its bare statements' share, and how much of it Keel serves", () => {
    const medium = run('m', 150, 12);
    const withBare = {
      ...medium,
      ceilings: [
        ...medium.ceilings,
        result('bare: list anonymous', 201, 8),
        result('bare: feed', 300, 8),
        result('bare: by tag', 300, 8, true),
      ],
    };
    const verdicts = judgeBudgets({ runs: [withBare] }).get('postgres') ?? [];
    const at = (name: string) =>
      verdicts.find((item) => item.scenario === name && item.budget.startsWith('at M'));
    expect(at('list anonymous')).toEqual({
      budget: 'at M, at least 25 % of select 1',
      scenario: 'list anonymous',
      measured: '15.0 % (bare: 20.1 %; Keel serves 75 % of it)',
      holds: false,
    });
    expect(at('feed')?.measured).toBe('15.0 % (bare: 30.0 %; Keel serves 50 % of it)');
    // The reads whose bare statements failed, did not run or have none show their share alone.
    expect(at('by tag')?.measured).toBe('15.0 %');
    expect(at('profile')?.measured).toBe('15.0 %');
  });

  it('say when a size ran without the scenario (--only)', () => {
    const medium = run('m', 300, 12);
    const only = { ...medium, scenarios: medium.scenarios.filter((item) => item.name !== 'feed') };
    const verdicts = judgeBudgets({ runs: [only] }).get('postgres') ?? [];
    expect(
      verdicts.find((item) => item.scenario === 'feed' && item.budget.startsWith('at M')),
    ).toEqual({
      budget: 'at M, at least 25 % of select 1',
      scenario: 'feed',
      measured: 'scenario not run',
      holds: undefined,
    });
  });
});
