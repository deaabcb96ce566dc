import type { BenchRun, ScenarioResult } from '../../bench/report/bench-results.js';

/**
 * A scenario's result as the bench writes it: `requestsPerSecond` for 10 s, every answer a 200,
 * latencies of 2, 4, 8 and 20 ms, and `changes` over that.
 */
export function scenarioResult(
  name: string,
  requestsPerSecond: number,
  changes: Partial<ScenarioResult> = {},
): ScenarioResult {
  return {
    name,
    description: name,
    requests: requestsPerSecond * 10,
    requestsPerSecond,
    latencyMs: { p50: 2, p90: 4, p99: 8, max: 20 },
    non2xx: 0,
    errors: 0,
    statusCodes: { '200': requestsPerSecond * 10 },
    serverCpuSeconds: 1,
    serverPeakRssMiB: 100,
    failed: false,
    ...changes,
  };
}

/** A run at `size` on PostgreSQL, on the same test machine, with `changes` over its fields. */
export function benchRun(size: string, changes: Partial<BenchRun> = {}): BenchRun {
  return {
    size,
    database: 'postgres',
    seed: 1,
    startedAt: '2026-11-28T00:00:00.000Z',
    machine: { cpu: 'test', cores: 2, memoryGiB: 24, node: 'v24', database: 'PostgreSQL 15' },
    settings: { durationSeconds: 8, warmupSeconds: 2, connections: 10, poolSize: 10 },
    ceilings: [],
    scenarios: [],
    ...changes,
  };
}
