import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createTestApp, TEST_ENVIRONMENT, type TestApp } from '../helpers/app.js';

/**
 * CORS (spec.md §8): a browser on a listed origin may call every route, whatever its method;
 * any other origin is told nothing.
 */
const ALLOWED = 'https://app.example';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp(loadConfig({ ...TEST_ENVIRONMENT, CORS_ORIGINS: ALLOWED }));
});
afterAll(() => t.close());

/** The preflight a browser sends before a cross-origin `method` with a token and a JSON body. */
function preflight(origin: string, method: string, url: string) {
  return t.app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type',
    },
  });
}

describe('a preflight from a listed origin', () => {
  it.each([
    ['PUT', '/api/user'],
    ['PUT', '/api/v1/articles/some-slug'],
    ['DELETE', '/api/articles/some-slug'],
    ['DELETE', '/api/v1/articles/some-slug/favorite'],
    ['DELETE', '/api/profiles/someone/follow'],
    ['DELETE', '/api/articles/some-slug/comments/1'],
    ['POST', '/api/v1/user/logout-all'],
  ])('allows %s %s, with the token and a JSON body', async (method, url) => {
    const response = await preflight(ALLOWED, method, url);
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    const allowed = String(response.headers['access-control-allow-methods']).split(/\s*,\s*/);
    expect(allowed).toContain(method);
    expect(response.headers['access-control-allow-headers']).toBe('authorization,content-type');
  });
});

describe('a preflight from another origin', () => {
  it('allows it nothing', async () => {
    const response = await preflight('https://evil.example', 'DELETE', '/api/articles/some-slug');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('a request from a browser', () => {
  it('names a listed origin, and varies on Origin', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/tags',
      headers: { origin: ALLOWED },
    });
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(String(response.headers.vary)).toMatch(/\bOrigin\b/);
  });

  it('lets the script read when to retry, the request id and a replay', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/tags',
      headers: { origin: ALLOWED },
    });
    const exposed = String(response.headers['access-control-expose-headers']).split(/\s*,\s*/);
    expect(exposed).toEqual(['Retry-After', 'X-Request-Id', 'Idempotent-Replayed']);
  });

  it('allows an Idempotency-Key on a write', async () => {
    const response = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/articles',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-headers']).toBe(
      'authorization,content-type,idempotency-key',
    );
  });
});
