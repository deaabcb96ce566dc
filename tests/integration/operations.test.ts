import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import { embedded } from '../../src/infrastructure/db/database.js';
import { PGlite } from '@electric-sql/pglite';
import { loadConfig } from '../../src/core/config.js';
import { createTestApp, TEST_ENVIRONMENT, type TestApp, TEST_APP_OPTIONS } from '../helpers/app.js';
import { registerUser } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('GET /health/live', () => {
  it('answers 200 while the process runs', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'live' });
  });
});

describe('GET /health/ready', () => {
  it('is ready when the database is reachable and migrated', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      checks: [
        { name: 'database', ready: true, detail: 'reachable' },
        { name: 'migrations', ready: true, detail: 'current' },
      ],
    });
  });

  it('stays ready with Redis unreachable, and says the limits are counted per instance', async () => {
    // Nothing listens on port 1: every rate-limit hit fails over to memory and opens the breaker.
    const offline = await createTestApp(
      loadConfig({ ...TEST_ENVIRONMENT, REDIS_URL: 'redis://127.0.0.1:1' }),
    );
    try {
      const before = await offline.app.inject({ method: 'GET', url: '/health/ready' });
      expect(before.json()).toMatchObject({
        checks: [
          {},
          {},
          {
            name: 'redis',
            ready: true,
            detail: 'breaker closed: rate limits shared, invalidations published',
          },
        ],
      });
      for (let attempt = 0; attempt < 5; attempt++) await registerUser(offline.app);

      const after = await offline.app.inject({ method: 'GET', url: '/health/ready' });
      expect(after.statusCode).toBe(200);
      expect(after.json()).toMatchObject({
        status: 'ready',
        checks: [
          { name: 'database', ready: true },
          { name: 'migrations', ready: true },
          {
            name: 'redis',
            ready: true,
            detail:
              'breaker open: rate limits counted per instance, invalidations not published, until Redis answers',
          },
        ],
      });
    } finally {
      await offline.close();
    }
  });

  it('answers 503 when the database has not been migrated', async () => {
    const database = embedded(await PGlite.create());
    const app = await buildApp({
      ...TEST_APP_OPTIONS,
      database,
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        status: 'not_ready',
        checks: [
          { name: 'database', ready: true },
          { name: 'migrations', ready: false, detail: 'pending: run npm run db:migrate' },
        ],
      });
    } finally {
      await app.close();
      await database.close();
    }
  });
});

describe('GET /metrics', () => {
  it('counts requests by route template and status, with latencies', async () => {
    await registerUser(t.app);
    await t.app.inject({ method: 'GET', url: '/api/v1/articles/no-such-slug' });
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.body;
    expect(text).toMatch(
      /http_requests_total\{method="POST",route="\/api\/v1\/users",status="201"\} \d+/,
    );
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/v1\/articles\/:slug",status="404"\} 1/,
    );
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toMatch(/db_retries_total\{kind="write",reason="deadlock"\} \d+/);
    expect(text).not.toContain('no-such-slug');
  });
});
