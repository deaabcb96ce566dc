import { describe, expect, it } from 'vitest';
import type { BenchReport, BenchRun } from '../../bench/report/bench-results.js';
import { formatComparison } from '../../bench/report/format-results.js';
import { benchRun, scenarioResult } from '../helpers/bench-report.js';

/** A run at `size` as the bench writes it now, with `changes` over its settings. */
function run(
  size: string,
  requestsPerSecond: number,
  changes: Partial<BenchRun['settings']> = {},
  commit = '3ca5fea15e00651eda3f837f4ba728d22e489157',
): BenchRun {
  const scenarios = [scenarioResult('feed', requestsPerSecond)];
  return benchRun(size, {
    settings: {
      durationSeconds: 10,
      warmupSeconds: 3,
      connections: 10,
      poolSize: 10,
      redis: false,
      smoke: false,
      dist: false,
      reuse: false,
      only: [],
      ...changes,
    },
    commit,
    scenarios,
    rounds: [{ ceilings: [], scenarios }],
  });
}

const HEADING = 'measured under different settings (old → new):';

describe("the bench's comparison with an older report", () => {
  it('prints the table alone when both were measured alike', () => {
    const comparison = formatComparison({ runs: [run('m', 250)] }, { runs: [run('m', 200)] });
    expect(comparison).not.toContain(HEADING);
    expect(comparison).toMatch(/^\| size +\| scenario +\|/);
    expect(comparison).toMatch(/\| M +\| feed +\| 200 → 250 +\| +1\.25× \|/);
  });

  it('says above the table each setting the two runs differ in, old → new', () => {
    const old: BenchReport = { runs: [run('s', 200), run('m', 200)] };
    const now: BenchReport = {
      runs: [
        {
          ...run(
            'm',
            250,
            { durationSeconds: 3, warmupSeconds: 1, connections: 4, poolSize: 2, redis: true },
            '5d1e3a0c2f1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d with uncommitted changes 0123456789ab',
          ),
          seed: 7,
          machine: { cpu: 'other', cores: 4, memoryGiB: 8, node: 'v25', database: 'PostgreSQL 17' },
          rounds: [1, 2, 3].map(() => ({ ceilings: [], scenarios: [scenarioResult('feed', 250)] })),
        },
      ],
    };
    expect(formatComparison(now, old)).toBe(
      [
        HEADING,
        '',
        '- sizes: S, M → M',
        '- database server: PostgreSQL 15 → PostgreSQL 17',
        '- seed: 1 → 7',
        '- duration: 10 s → 3 s',
        '- warm-up: 3 s → 1 s',
        '- connections: 10 → 4',
        '- pool size: 10 → 2',
        '- rounds: 1 → 3',
        '- Redis: without → with',
        '- commit: 3ca5fea15e00651eda3f837f4ba728d22e489157 → ' +
          '5d1e3a0c2f1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d with uncommitted changes 0123456789ab',
        '- CPU: test → other',
        '- cores: 2 → 4',
        '- memory: 24 GiB → 8 GiB',
        '- Node.js: v24 → v25',
        '',
        '| size | scenario | req/s old → new | req/s ratio | p50 ratio | p99 ratio | req/s ranges |',
        '| ---- | -------- | --------------- | ----------- | --------- | --------- | ------------ |',
        '| M    | feed     | 200 → 250       |       1.25× |     1.00× |     1.00× |              |',
        '',
      ].join('\n'),
    );
  });

  it('says so for a smoke run, a built server and another database, even with no run to compare', () => {
    const embedded: BenchRun = {
      ...run('s', 250, { smoke: true, dist: true, reuse: true, only: ['list', 'feed'] }),
      database: 'embedded',
      machine: { ...run('s', 0).machine, database: 'PGlite (embedded)' },
    };
    const comparison = formatComparison({ runs: [embedded] }, { runs: [run('s', 200)] });
    expect(comparison).toBe(
      [
        HEADING,
        '',
        '- database: postgres → embedded',
        '- database server: PostgreSQL 15 → PGlite (embedded)',
        '- smoke: no → yes',
        '- built server (--dist): no → yes',
        '- data reused (--reuse): no → yes',
        '- scenarios (--only): all → list,feed',
        '',
        'compare: no run of the same size and database in the old report',
        '',
      ].join('\n'),
    );
  });

  it('reads a report written before the settings were all kept: unknown, not a crash', () => {
    // As the bench wrote it before --rounds and --redis-url, and before it kept smoke, dist,
    // reuse, only and the commit: those two known (one round, no Redis), these five not.
    const old: BenchReport = {
      runs: [
        {
          size: 'm',
          database: 'postgres',
          seed: 1,
          startedAt: '2026-11-20T00:00:00.000Z',
          machine: run('m', 200).machine,
          settings: { durationSeconds: 10, warmupSeconds: 3, connections: 10, poolSize: 10 },
          ceilings: [],
          scenarios: [scenarioResult('feed', 200)],
        },
      ],
    };
    const comparison = formatComparison({ runs: [run('m', 250, { smoke: true })] }, old);
    expect(comparison.split('\n\n')[1]).toBe(
      [
        '- smoke: unknown → yes',
        '- built server (--dist): unknown → no',
        '- data reused (--reuse): unknown → no',
        '- scenarios (--only): unknown → all',
        '- commit: unknown → 3ca5fea15e00651eda3f837f4ba728d22e489157',
      ].join('\n'),
    );
    expect(comparison).toMatch(/\| M +\| feed +\| 200 → 250 +\| +1\.25× \|/);
  });
});
