import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TICKS_PER_SECOND } from '../../bench/load/process-usage.js';
import { runScenario } from '../../bench/load/run-scenario.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let origin: string;
beforeAll(async () => {
  t = await createTestApp();
  origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => t.close());

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
    // may be up to two ticks short; reading /proc around the window costs a few milliseconds.
    const ticks = 2 / TICKS_PER_SECOND;
    const driver = result.driverCpuSeconds ?? Number.NaN;
    expect(driver).toBeGreaterThan(0);
    expect(driver).toBeLessThanOrEqual(result.serverCpuSeconds + ticks);
    expect(driver).toBeGreaterThanOrEqual(result.serverCpuSeconds - ticks - 0.01);
  });
});
