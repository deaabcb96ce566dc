import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import {
  createTestApp,
  openTestDatabase,
  type TestApp,
  expectRefused,
  TEST_APP_OPTIONS,
} from '../helpers/app.js';
import { createArticle, registerUser, unique } from '../helpers/factories.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function newUser() {
  const name = unique();
  return { user: { username: name, email: `${name}@example.com`, password: 'password123' } };
}

function postUsers(payload: string | Buffer, contentType = 'application/json'): InjectOptions {
  return {
    method: 'POST',
    url: '/api/v1/users',
    headers: { 'content-type': contentType },
    payload,
  };
}

describe('request bodies', () => {
  it('returns 400 malformed_json for a body that is not valid JSON', async () => {
    await expectRefused(t, postUsers('{"user":'), 400, 'malformed_json', {
      body: ['is not valid JSON'],
    });
  });

  it('returns 400 malformed_json for a body that is not UTF-8, rather than repairing it', async () => {
    const [before, after] = JSON.stringify(newUser()).split('password123');
    const payload = Buffer.concat([
      Buffer.from(`${before ?? ''}pass`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`word123${after ?? ''}`),
    ]);
    await expectRefused(t, postUsers(payload), 400, 'malformed_json', {
      body: ['is not valid JSON'],
    });
  });

  it('returns 415 unsupported_media_type for a text/plain body', async () => {
    await expectRefused(
      t,
      postUsers(JSON.stringify(newUser()), 'text/plain'),
      415,
      'unsupported_media_type',
      { body: ['must be application/json'] },
    );
  });

  it('returns 413 payload_too_large for a body over 1 MiB', async () => {
    const user = newUser();
    const payload = JSON.stringify({ user: { ...user.user, bio: 'x'.repeat(1024 * 1024) } });
    await expectRefused(t, postUsers(payload), 413, 'payload_too_large', {
      body: ['is too large'],
    });
  });

  it('accepts an empty application/json body on a bodiless POST', async () => {
    const author = await registerUser(t.app);
    const reader = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/articles/${slug}/favorite`,
      headers: { ...reader.headers, 'content-type': 'application/json' },
      payload: '',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().article).toMatchObject({ slug, favorited: true, favoritesCount: 1 });
  });

  it('returns 422 validation_failed for an empty body where a body is required', async () => {
    await expectRefused(t, postUsers(''), 422, 'validation_failed', {
      body: ['must be object'],
    });
  });

  it.each(['[]', '"x"', 'null'])('returns 422 validation_failed for the JSON %s', async (json) => {
    await expectRefused(t, postUsers(json), 422, 'validation_failed', {
      body: ['must be object'],
    });
  });

  it.each([
    ['__proto__', '{"__proto__":{"admin":true}}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"admin":true}}}'],
  ])('returns 400 and writes nothing for %s in the body', async (_key, poison) => {
    const { user } = newUser();
    const payload = JSON.stringify({ user }).replace(/}}$/, `,"role":${poison}}}`);
    await expectRefused(t, postUsers(payload), 400, 'malformed_json', {
      body: ['is not valid JSON'],
    });
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users/login',
      payload: { user: { email: user.email, password: user.password } },
    });
    expect(login.statusCode).toBe(401);
  });
});

describe('writes that take no body', () => {
  it.each([
    ['an unknown field', { confirm: false }, { confirm: ['is not a known field'] }],
    ['an array', [1, 2], { body: ['must be object'] }],
    ['a string', 'yes', { body: ['must be object'] }],
  ])(
    "refuse %s on Keel's own (log out everywhere), revoking nothing",
    async (_case, payload, errors) => {
      const user = await registerUser(t.app);
      await expectRefused(
        t,
        {
          method: 'POST',
          url: '/api/v1/user/logout-all',
          headers: { ...user.headers, 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        },
        422,
        'validation_failed',
        errors,
      );
      const current = await t.app.inject({
        method: 'GET',
        url: '/api/v1/user',
        headers: user.headers,
      });
      expect(current.statusCode).toBe(200);
    },
  );

  it("take an empty object on Keel's own, as some clients send", async () => {
    const user = await registerUser(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/user/logout-all',
      headers: user.headers,
      payload: {},
    });
    expect(response.statusCode).toBe(204);
  });

  it("ignore a body on RealWorld's, as the original Postman collection sends on follow", async () => {
    const reader = await registerUser(t.app);
    const author = await registerUser(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/profiles/${author.username}/follow`,
      headers: reader.headers,
      payload: { user: { email: author.email } },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().profile).toMatchObject({ username: author.username, following: true });
  });
});

describe('routing', () => {
  it.each([
    ['GET', '/api/v1/nope'],
    ['PATCH', '/api/v1/user'],
  ] as const)('returns 404 route_not_found for %s %s', async (method, url) => {
    const response = await t.app.inject({ method, url });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      errors: { route: ['not found'] },
      error: { code: 'route_not_found', message: `no route for ${method} ${url}` },
    });
  });

  it('returns 400 bad_request in the error body for a URL that cannot be decoded', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/profiles/%E0%A4%A' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      errors: { request: ['is invalid'] },
      error: { code: 'bad_request' },
    });
  });

  it('returns 414 uri_too_long in the error body for a path parameter over 200 characters', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/articles/${'a'.repeat(201)}`,
    });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toMatchObject({
      errors: { request: ['is too long'] },
      error: { code: 'uri_too_long' },
    });
    // No hook runs for the router's refusals; a 414 is cacheable unless it says otherwise.
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('serves the same routes under the legacy /api prefix as under /api/v1', async () => {
    const author = await registerUser(t.app);
    await createArticle(t.app, author, { tagList: [unique('tag')] });
    const legacy = await t.app.inject({ method: 'GET', url: '/api/tags' });
    const canonical = await t.app.inject({ method: 'GET', url: '/api/v1/tags' });
    expect(legacy.statusCode).toBe(200);
    expect(canonical.statusCode).toBe(200);
    expect(legacy.json()).toEqual(canonical.json());
    expect(legacy.json().tags.length).toBeGreaterThan(0);
    const profile = await t.app.inject({ method: 'GET', url: `/api/profiles/${author.username}` });
    expect(profile.statusCode).toBe(200);
    expect(profile.json().profile.username).toBe(author.username);
  });
});

describe('X-Request-Id', () => {
  it('echoes a sane incoming id', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tags',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBe('abc-123');
  });

  it('echoes the id on error responses too', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/nope',
      headers: { 'x-request-id': 'trace.42:a_b' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-request-id']).toBe('trace.42:a_b');
  });

  it.each([
    ['missing', undefined],
    ['300 characters long', 'a'.repeat(300)],
    ['containing spaces', 'abc 123'],
  ])('generates a UUID when the incoming id is %s', async (_case, given) => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tags',
      headers: given === undefined ? {} : { 'x-request-id': given },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });
});

describe('security headers', () => {
  it.each([
    ['an API response', '/api/v1/tags', 200],
    ['an unknown route', '/api/v1/nowhere', 404],
    ['a refused request', '/api/v1/articles?limit=nope', 422],
  ])("sends helmet's default headers and forbids caching on %s", async (_name, url, status) => {
    const response = await t.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    });
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'self'");
  });

  it('forbids caching an answer that carries a token or a personal view', async () => {
    const user = await registerUser(t.app);
    const answers = await Promise.all([
      t.app.inject({ method: 'GET', url: '/api/v1/user', headers: user.headers }),
      t.app.inject({
        method: 'GET',
        url: `/api/v1/profiles/${user.username}`,
        headers: user.headers,
      }),
    ]);
    for (const response of answers) {
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });
});

describe('internal errors', () => {
  let broken: FastifyInstance;
  beforeAll(async () => {
    const handle = await openTestDatabase();
    broken = await buildApp({
      ...TEST_APP_OPTIONS,
      database: handle,
    });
    await broken.ready();
    await handle.close();
  });
  afterAll(() => broken.close());

  it('returns 500 internal_error with only the request id when the database is gone', async () => {
    const response = await broken.inject({ method: 'GET', url: '/api/v1/tags' });
    expect(response.statusCode).toBe(500);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(UUID);
    expect(response.json()).toEqual({
      errors: { server: ['internal error'] },
      error: {
        code: 'internal_error',
        message: 'something went wrong on our side',
        details: { requestId },
      },
    });
    expect(response.body).not.toMatch(/stack|\bat \w|\.ts:|select|from "|pglite|closed/i);
  });
});
