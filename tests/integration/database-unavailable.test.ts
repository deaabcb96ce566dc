import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import { connectPostgres, type DatabaseHandle } from '../../src/infrastructure/db/database.js';
import { TEST_APP_OPTIONS } from '../helpers/app.js';

/** A database nobody listens for: every connection is refused at once. */
const UNREACHABLE = 'postgres://keel@127.0.0.1:1/keel';

let database: DatabaseHandle;
let app: FastifyInstance;
const warnings: string[] = [];

beforeAll(async () => {
  database = connectPostgres(
    { url: UNREACHABLE, poolSize: 2, statementTimeoutMs: 1_000, connectionTimeoutMs: 500 },
    { warn: (_details, message) => warnings.push(message) },
  );
  app = await buildApp({
    ...TEST_APP_OPTIONS,
    database,
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('when the database is down', () => {
  it('answers a fast 503 with Retry-After and the request id, not a 500', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/tags',
      headers: { 'x-request-id': 'outage-1' },
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toEqual({
      errors: { server: ['temporarily unavailable'] },
      error: {
        code: 'service_unavailable',
        message: 'a service Keel depends on is unavailable; retry shortly',
        details: { requestId: 'outage-1' },
      },
    });
  });

  it('fails readiness but keeps liveness', async () => {
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      status: 'not_ready',
      checks: [{ name: 'database', ready: false, detail: 'unreachable (ECONNREFUSED)' }],
    });
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it('still serves /metrics: the 503s, the pool and the process, without the outbox backlog', async () => {
    for (let request = 0; request < 3; request++) {
      await app.inject({ method: 'GET', url: '/api/v1/articles/outage' });
    }
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain(
      'http_requests_total{method="GET",route="/api/v1/articles/:slug",status="503"} 3',
    );
    expect(metrics.body).toMatch(/^db_pool_connections\{state="total"\} \d/m);
    expect(metrics.body).toMatch(/^process_cpu_seconds_total \d/m);
    // Read from the database at each scrape: no sample rather than a stale one (spec.md §10).
    expect(metrics.body).not.toMatch(/^outbox_(pending|lag_seconds|dead_letters)\{/m);
  });
});
