import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorsOf } from '../../bench/load/run-scenario.js';

// Accepts every request and never answers it.
let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("the bench's error count", () => {
  it('counts each request that timed out once', async () => {
    const result = await autocannon({ url: origin, connections: 1, duration: 2, timeout: 1 });
    expect(result.timeouts).toBeGreaterThan(0);
    expect(errorsOf(result)).toBe(result.timeouts);
  });
});
