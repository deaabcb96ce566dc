import { describe, expect, it } from 'vitest';
import type { BenchRun, ScenarioResult } from '../../bench/report/bench-results.js';
import { formatCurve } from '../../bench/report/format-results.js';

function result(name: string, p50: number, p99: number): ScenarioResult {
  return {
    name,
    description: name,
    requests: 1_000,
    requestsPerSecond: 100,
    latencyMs: { p50, p90: p99 / 2, p99, max: p99 * 2 },
    non2xx: 0,
    errors: 0,
    statusCodes: { '200': 1_000 },
    serverCpuSeconds: 1,
    serverPeakRssMiB: 100,
    failed: false,
  };
}

function run(size: string, scenarios: readonly ScenarioResult[]): BenchRun {
  return {
    size,
    database: 'postgres',
    seed: 1,
    startedAt: '2026-11-28T00:00:00.000Z',
    machine: { cpu: 'test', cores: 2, memoryGiB: 24, node: 'v24', database: 'PostgreSQL 15' },
    settings: { durationSeconds: 8, warmupSeconds: 2, connections: 10, poolSize: 10 },
    ceilings: [],
    scenarios,
  };
}

describe("the bench's curve over sizes", () => {
  it('prints how p50 and p99 each move from the first size to the last', () => {
    const curve = formatCurve({
      runs: [
        run('s', [result('feed', 4, 10)]),
        run('m', [result('feed', 5, 15)]),
        run('l', [result('feed', 12, 25)]),
      ],
    });
    expect(curve).toMatch(
      /\| scenario +\| p50 S +\| p50 M +\| p50 L +\| p99 S +\| p99 M +\| p99 L +\| p50 L\/S +\| p99 L\/S +\|/,
    );
    expect(curve).toMatch(
      /\| feed +\| +4\.0 \| +5\.0 \| +12 \| +10 \| +15 \| +25 \| +3\.00× \| +2\.50× \|/,
    );
  });

  it('prints nothing for a single size', () => {
    expect(formatCurve({ runs: [run('s', [result('feed', 4, 10)])] })).toBe('');
  });
});
