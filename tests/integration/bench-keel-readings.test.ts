import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRetries, retriesIn } from '../../bench/load/database-retries.js';
import { TICKS_PER_SECOND } from '../../bench/load/process-usage.js';
import { runScenario } from '../../bench/load/run-scenario.js';
import { writeRetry } from '../../src/infrastructure/db/retry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let origin: string;
beforeAll(async () => {
  t = await createTestApp();
  origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => t.close());

/** A failure PostgreSQL rolled back, as the driver reports it under Drizzle's error. */
const deadlock = (): Error =>
  new Error('Failed query', { cause: Object.assign(new Error('deadlock'), { code: '40P01' }) });

describe("the bench's reading of Keel's retries", () => {
  it("sums every series of db_retries_total from Keel's own /metrics, and follows a retry", async () => {
    const before = await readRetries(`${origin}/metrics`);
    let attempts = 0;
    await writeRetry.execute(() => {
      attempts += 1;
      return attempts === 1 ? Promise.reject(deadlock()) : Promise.resolve();
    });
    expect(await readRetries(`${origin}/metrics`)).toBe(before + 1);
  });

  it('reads only the samples of db_retries_total, labelled or not', () => {
    const text = [
      '# HELP db_retries_total Database work this process ran again',
      '# TYPE db_retries_total counter',
      'db_retries_total{kind="write",reason="deadlock"} 2',
      'db_retries_total{kind="read",reason="connection_lost"} 1',
      'db_retries_total 4',
      'db_retries_total_created 1764201600',
      'http_requests_total{route="/db_retries_total"} 9',
    ].join('\n');
    expect(retriesIn(text)).toBe(7);
  });

  it('fails where no metrics are served, rather than reading none', async () => {
    await expect(readRetries(`${origin}/no-metrics-here`)).rejects.toThrow('answered 404');
  });
});

describe("the bench's measured window", () => {
  it("counts the load driver's CPU over the measured window, and Keel's retries", async () => {
    // Here the server runs in the driver's own process, so the two read one process's CPU over
    // nearly the same window: the driver's window lies within the server's.
    const result = await runScenario(
      { origin, pid: process.pid, metricsUrl: `${origin}/metrics` },
      {
        name: 'tags',
        description: 'GET /tags',
        requests: [{ method: 'GET', path: '/api/v1/tags' }],
      },
      { durationSeconds: 1, warmupSeconds: 0, connections: 2 },
      undefined,
    );
    expect(result.failed).toBe(false);
    expect(result.requests).toBeGreaterThan(0);
    expect(result.statusCodes).toEqual({ '200': result.requests });
    expect(result.databaseRetries).toBe(0);
    expect(result).not.toHaveProperty('databaseCpuSeconds');
    // /proc truncates user and system time to clock ticks apart, so a reading of the server's
    // may be up to two ticks short. What runs between the two windows' edges (reading /proc,
    // the driver's own start and end) took a few milliseconds on an idle machine and up to 20 ms
    // on a CI machine busy with other test files: a tenth of the reading bounds it.
    const ticks = 2 / TICKS_PER_SECOND;
    const driver = result.driverCpuSeconds ?? Number.NaN;
    expect(driver).toBeGreaterThan(0);
    expect(driver).toBeLessThanOrEqual(result.serverCpuSeconds + ticks);
    expect(driver).toBeGreaterThanOrEqual(result.serverCpuSeconds * 0.9 - ticks);
  });
});
