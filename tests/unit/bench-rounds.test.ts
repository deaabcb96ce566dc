import { describe, expect, it } from 'vitest';
import type { BenchRound, BenchRun, ScenarioResult } from '../../bench/report/bench-results.js';
import { judgeBudgets } from '../../bench/report/budgets.js';
import { formatComparison, formatRun } from '../../bench/report/format-results.js';
import {
  combineRounds,
  failedScenarios,
  median,
  pairedShare,
  selectOneShare,
} from '../../bench/report/rounds.js';

import { benchRun, scenarioResult } from '../helpers/bench-report.js';

const SELECT_1 = 'ceiling: select 1';

/** A scenario measured with the database's and the driver's CPU, unless told otherwise. */
function result(
  name: string,
  requestsPerSecond: number,
  extra: Partial<ScenarioResult> = {},
  databaseMeasured = true,
  driverMeasured = true,
): ScenarioResult {
  return scenarioResult(name, requestsPerSecond, {
    ...(databaseMeasured && { databaseCpuSeconds: 2 }),
    ...(driverMeasured && { driverCpuSeconds: 0.5 }),
    ...extra,
  });
}

/** One round where select 1 serves `ceiling` per second and the anonymous list `list`. */
function round(ceiling: number, list: number, bare = list * 1.25): BenchRound {
  return {
    ceilings: [result(SELECT_1, ceiling), result('bare: list anonymous', bare)],
    scenarios: [result('list anonymous', list)],
  };
}

/** A run at M made of `rounds`, as the bench writes it (without them, as it did before). */
function runOf(rounds: readonly BenchRound[], keepRounds = true): BenchRun {
  return benchRun('m', { ...combineRounds(rounds), ...(keepRounds && { rounds }) });
}

describe("the bench's rounds", () => {
  it('take the median of an odd count, and the mean of the middle two of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it("combine a scenario's rounds: median rate and latencies, their range, totals, the worst", () => {
    const slow = result('feed', 100, {
      latencyMs: { p50: 5, p90: 9, p99: 30, max: 90 },
      serverCpuSeconds: 3,
      serverPeakRssMiB: 140,
      databaseRetries: 2,
    });
    const failed = result('feed', 300, {
      latencyMs: { p50: 1, p90: 2, p99: 6, max: 15 },
      non2xx: 2,
      statusCodes: { '200': 2_998, '500': 2 },
      databaseRetries: 1,
      failed: true,
    });
    const { scenarios } = combineRounds([
      { ceilings: [], scenarios: [result('feed', 200, { databaseRetries: 0 })] },
      { ceilings: [], scenarios: [slow] },
      { ceilings: [], scenarios: [failed] },
    ]);
    expect(scenarios).toEqual([
      {
        name: 'feed',
        description: 'feed',
        requests: 6_000,
        requestsPerSecond: 200,
        requestsPerSecondRange: { min: 100, max: 300 },
        latencyMs: { p50: 2, p90: 4, p99: 8, max: 90 },
        non2xx: 2,
        errors: 0,
        statusCodes: { '200': 5_998, '500': 2 },
        serverCpuSeconds: 5,
        serverPeakRssMiB: 140,
        databaseCpuSeconds: 6,
        driverCpuSeconds: 1.5,
        databaseRetries: 3,
        failed: true,
      },
    ]);
  });

  it("leave out the database's and the driver's CPU and the retries unless every round measured them", () => {
    const { ceilings } = combineRounds([
      { ceilings: [result(SELECT_1, 1_000, { databaseRetries: 0 })], scenarios: [] },
      { ceilings: [result(SELECT_1, 1_000, {}, false, false)], scenarios: [] },
    ]);
    expect(ceilings[0]).not.toHaveProperty('databaseCpuSeconds');
    expect(ceilings[0]).not.toHaveProperty('driverCpuSeconds');
    expect(ceilings[0]).not.toHaveProperty('databaseRetries');
    // PGlite, or PostgreSQL on another machine: the driver's CPU is measured, the database's not.
    const { scenarios } = combineRounds([
      { ceilings: [], scenarios: [result('feed', 100, {}, false)] },
      { ceilings: [], scenarios: [result('feed', 100, {}, false)] },
    ]);
    expect(scenarios[0]).not.toHaveProperty('databaseCpuSeconds');
    expect(scenarios[0]?.driverCpuSeconds).toBe(1);
  });

  it("print Keel's database retries, blank where the server has no metrics", () => {
    const table = formatRun(
      runOf([
        {
          ceilings: [result(SELECT_1, 1_000)],
          scenarios: [result('create article', 100, { databaseRetries: 4 })],
        },
      ]),
    );
    expect(table).toMatch(
      /\| errors \| db retries \| server CPU ms\/req \| database CPU ms\/req \| driver CPU ms\/req \|/,
    );
    expect(table).toMatch(
      /\| create article +\|.*\| +0 \| +0 \| +4 \| +1\.00 \| +2\.00 \| +0\.50 \|/,
    );
    expect(table).toMatch(/\| ceiling: select 1 \|.*\| +0 \| +0 \| +\| +0\.10 \|/);
  });

  it('take a share within each round, so a ceiling that moved between rounds moves it too', () => {
    // Medians alone would give 300 / 1 000 = 30 %; within the rounds the shares are 20, 25, 30.
    const run = runOf([round(1_000, 200), round(1_200, 300), round(500, 150)]);
    expect(pairedShare(run, 'list anonymous', SELECT_1)).toEqual({
      median: 0.25,
      range: { min: 0.2, max: 0.3 },
      rounds: 3,
    });
    expect(pairedShare(run, 'feed', SELECT_1)).toBeUndefined();
  });

  it("judge the budget on the median round's share and show the rounds' range", () => {
    const run = runOf([round(1_000, 200), round(1_200, 300), round(500, 150, 150)]);
    const verdict = (judgeBudgets({ runs: [run] }).get('postgres') ?? []).find(
      (item) => item.scenario === 'list anonymous' && item.budget.startsWith('at M'),
    );
    expect(verdict).toEqual({
      budget: 'at M, at least 25 % of select 1',
      scenario: 'list anonymous',
      measured: '25.0 % [20.0–30.0] (bare: 30.0 % [25.0–31.3]; Keel serves 80 % [80–100] of it)',
      holds: true,
    });
  });

  it('show no bare share for a read whose bare statements failed in any round', () => {
    const failing = round(1_000, 200);
    const run = runOf([
      round(1_000, 200),
      {
        ...failing,
        ceilings: failing.ceilings.map((item) =>
          item.name === 'bare: list anonymous' ? { ...item, failed: true } : item,
        ),
      },
      round(1_000, 200),
    ]);
    const verdict = (judgeBudgets({ runs: [run] }).get('postgres') ?? []).find(
      (item) => item.scenario === 'list anonymous' && item.budget.startsWith('at M'),
    );
    expect(verdict?.measured).toBe('20.0 % [20.0–20.0]');
  });

  it('take no share where a round lacks the base or its base served nothing', () => {
    const idle = round(0, 200);
    expect(pairedShare(runOf([round(1_000, 200), idle]), 'list anonymous', SELECT_1)).toBe(
      undefined,
    );
    expect(() =>
      combineRounds([round(1_000, 200), { ...round(1_000, 200), scenarios: [] }]),
    ).toThrow('the rounds ran different scenarios');
  });

  it('count a report written before rounds as one round, and show no range for it', () => {
    const old = runOf([round(1_000, 240)], false);
    expect(pairedShare(old, 'list anonymous', SELECT_1)).toEqual({
      median: 0.24,
      range: { min: 0.24, max: 0.24 },
      rounds: 1,
    });
    const verdict = (judgeBudgets({ runs: [old] }).get('postgres') ?? []).find(
      (item) => item.scenario === 'list anonymous' && item.budget.startsWith('at M'),
    );
    expect(verdict?.measured).toBe('24.0 % (bare: 30.0 %; Keel serves 80 % of it)');
  });

  it('take the share of select 1 measured right before and after a read, where a round has it', () => {
    // The round's own select 1 ran at 2 000 per second; around the list it ran at 800 and 1 200.
    const sideBySide: BenchRound = {
      ...round(2_000, 200),
      selectOneBeside: {
        windows: [result(SELECT_1, 800), result(SELECT_1, 1_200), result(SELECT_1, 5_000)],
        around: { 'list anonymous': [0, 1], 'bare: list anonymous': [0, 1] },
      },
    };
    const run = runOf([sideBySide]);
    expect(selectOneShare(run, 'list anonymous')?.median).toBe(0.2);
    expect(pairedShare(run, 'list anonymous', SELECT_1)?.median).toBe(0.1);
    // A scenario without windows of its own keeps the round's select 1.
    expect(selectOneShare(run, SELECT_1)?.median).toBe(1);
    // A window the round does not hold measures nothing.
    const broken = {
      ...sideBySide,
      selectOneBeside: { windows: [], around: { 'list anonymous': [0, 1] as const } },
    };
    expect(selectOneShare(runOf([broken]), 'list anonymous')).toBeUndefined();
    const verdict = (judgeBudgets({ runs: [run] }).get('postgres') ?? []).find(
      (item) => item.scenario === 'list anonymous' && item.budget.startsWith('at M'),
    );
    expect(verdict?.measured).toBe('20.0 % (bare: 25.0 %; Keel serves 80 % of it)');
    const table = formatRun(run);
    expect(table).toMatch(/\| list anonymous +\|.*\| 20 % +\| ok +\|/);
    expect(table).toContain('select 1 between the hot reads: 800–5,000 req/s');
    expect(formatRun(runOf([round(1_000, 200)]))).not.toContain('between the hot reads');
  });

  it('fail a run whose select 1 failed between the reads, naming each failed window once', () => {
    const windows = [result(SELECT_1, 800), result(SELECT_1, 1_200, { failed: true })];
    const around = { 'list anonymous': [0, 1] as const, feed: [1, 1] as const };
    const run = runOf([
      round(1_000, 200),
      { ...round(1_000, 200), selectOneBeside: { windows, around } },
    ]);
    expect(failedScenarios(run)).toEqual(['ceiling: select 1, round 2 window 2']);
    const [noErrors] = judgeBudgets({ runs: [run] }).get('postgres') ?? [];
    expect(noErrors).toEqual({
      budget: 'no errors, at any size',
      scenario: 'every scenario',
      measured: 'M ceiling: select 1, round 2 window 2',
      holds: false,
    });
    expect(failedScenarios(runOf([round(1_000, 200)]))).toEqual([]);
  });

  it("print each rate's range and the paired share beside the median, with several rounds", () => {
    const table = formatRun(runOf([round(1_000, 200), round(1_200, 300), round(500, 150)]));
    expect(table).toContain('median of 3 rounds');
    expect(table).toMatch(/\| req\/s +\| req\/s range +\| p50 ms/);
    expect(table).toMatch(/\| list anonymous +\| +200 \| 150–300 +\|.*\| 25 % +\| ok +\|/);
    const single = formatRun(runOf([round(1_000, 200)]));
    expect(single).not.toContain('range');
    expect(single).not.toContain('median of');
  });

  it('tell two runs apart only when their ranges of rates do not overlap', () => {
    const before = { runs: [runOf([round(1_000, 200), round(1_000, 220)])] };
    const apart = { runs: [runOf([round(1_000, 240), round(1_000, 260)])] };
    const overlapping = { runs: [runOf([round(1_000, 210), round(1_000, 260)])] };
    expect(formatComparison(apart, before)).toMatch(
      /\| list anonymous +\| 210 → 250 .*\| apart +\|/,
    );
    expect(formatComparison(overlapping, before)).toMatch(/\| list anonymous +\|.*\| overlap +\|/);
    // Against a single round, or a report written before rounds, no mark.
    const single = { runs: [runOf([round(1_000, 300)])] };
    expect(formatComparison(single, before)).toMatch(/\| list anonymous +\|.*× \| +\|\n/);
    const old = { runs: [runOf([round(1_000, 300)], false)] };
    expect(formatComparison(apart, old)).toMatch(/\| list anonymous +\|.*× \| +\|\n/);
  });
});

describe('a load beside a scenario (the login burst)', () => {
  it('fails the scenario when it fails, and the table says the failures were beside it', () => {
    const burst = (besideFailures: number) =>
      result('list during login burst', 500, { besideFailures, failed: besideFailures > 0 });
    const run = runOf([
      { ceilings: [result(SELECT_1, 9_000)], scenarios: [burst(0)] },
      { ceilings: [result(SELECT_1, 9_000)], scenarios: [burst(3)] },
    ]);
    const [combined] = run.scenarios;
    expect(combined).toMatchObject({ besideFailures: 3, failed: true, non2xx: 0, errors: 0 });
    expect(formatRun(run)).toContain('| FAILED (3 errors or non-2xx beside) |');
    expect(failedScenarios(run)).toEqual(['list during login burst']);
  });
});
