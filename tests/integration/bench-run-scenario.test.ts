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
  it("counts the load driver's CPU apart from the server's, and Keel's retries", async () => {
    // Here the server runs in the driver's own process, so the driver's CPU is a part of the
    // server's; in the bench each has its own process.
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
    expect(result.driverCpuSeconds).toBeGreaterThan(0);
    // The server's CPU is read from /proc in clock ticks, so it may be one tick short.
    expect(result.driverCpuSeconds).toBeLessThanOrEqual(
      result.serverCpuSeconds + 1 / TICKS_PER_SECOND,
    );
    expect(result.databaseRetries).toBe(0);
    expect(result).not.toHaveProperty('databaseCpuSeconds');
  });
});
