import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRateLimits } from '../../src/core/http/rate-limit.js';
import type { RateLimits } from '../../src/core/rate-limit.js';
import { createMemoryRateLimitStore } from '../../src/infrastructure/cache/memory-rate-limit-store.js';
import { createTestApp, rowCounts, testConfig, type TestApp } from '../helpers/app.js';
import { unique } from '../helpers/factories.js';

/** The real app with small limits: the ones the official suite and the other tests lift. */
const LIMITS: RateLimits = {
  'login-ip': { max: 4, windowMs: 60_000 },
  'login-account': { max: 2, windowMs: 60_000 },
  'registration-ip': { max: 2, windowMs: 3_600_000 },
  'write-user': { max: 3, windowMs: 60_000 },
};

let t: TestApp;
let app: FastifyInstance;

beforeAll(async () => {
  t = await createTestApp({ ...testConfig, rateLimits: LIMITS });
  app = t.app;
});
afterAll(() => t.close());

let addresses = 0;
/** A client address no other request of this file uses. */
function freshIp(): string {
  addresses += 1;
  return `10.1.${String(Math.floor(addresses / 250))}.${String((addresses % 250) + 1)}`;
}

interface User {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly headers: { readonly authorization: string };
}

/** Registers from an address of its own, so setup never meets the registration limit. */
async function register(): Promise<User> {
  const name = unique();
  const user = { username: name, email: `${name}@example.com`, password: 'password123' };
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/users',
    remoteAddress: freshIp(),
    payload: { user },
  });
  expect(response.statusCode).toBe(201);
  return { ...user, headers: { authorization: `Token ${response.json().user.token as string}` } };
}

function login(email: string, password: string, remoteAddress: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/users/login',
    remoteAddress,
    payload: { user: { email, password } },
  });
}

type Response = Awaited<ReturnType<typeof login>>;

function expectRateLimited(response: Response, retryAfterSeconds: number): void {
  expect(response.statusCode).toBe(429);
  expect(response.headers['retry-after']).toBe(String(retryAfterSeconds));
  expect(response.json()).toEqual({
    errors: { request: ['too many requests'] },
    error: {
      code: 'rate_limited',
      message: expect.stringContaining('too many requests'),
      details: { retryAfterSeconds },
    },
  });
}

describe('login limits', () => {
  it('refuses the attempt past the per-account limit with 429, Retry-After and the error body', async () => {
    const user = await register();
    const ip = freshIp();
    expect((await login(user.email, user.password, ip)).statusCode).toBe(200);
    expect((await login(user.email, 'wrong-password', ip)).statusCode).toBe(401);
    expectRateLimited(await login(user.email, user.password, ip), 60);
  });

  it('counts an account across addresses and spellings of its email', async () => {
    const user = await register();
    await login(user.email, 'wrong-password', freshIp());
    await login(` ${user.email.toUpperCase()} `, 'wrong-password', freshIp());
    expectRateLimited(await login(user.email, user.password, freshIp()), 60);
  });

  it('counts the spellings of one mailbox as one account: punycode and decomposed domains', async () => {
    const name = unique();
    const registered = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      remoteAddress: freshIp(),
      payload: {
        user: { username: name, email: `${name}@bücher.example`, password: 'password123' },
      },
    });
    expect(registered.statusCode).toBe(201);
    expect((await login(`${name}@xn--bcher-kva.example`, 'wrong', freshIp())).statusCode).toBe(401);
    expect((await login(`${name}@bu\u0308cher.example`, 'wrong', freshIp())).statusCode).toBe(401);
    expectRateLimited(await login(`${name}@bücher.example`, 'password123', freshIp()), 60);
  });

  it('keeps other accounts open on the same address while one is limited', async () => {
    const [limited, other] = [await register(), await register()];
    const ip = freshIp();
    for (let attempt = 0; attempt < 2; attempt++) await login(limited.email, 'wrong', ip);
    expect((await login(limited.email, limited.password, ip)).statusCode).toBe(429);
    expect((await login(other.email, other.password, ip)).statusCode).toBe(200);
  });

  it('refuses an address past the per-IP limit whatever the account, and only that address', async () => {
    const users = await Promise.all([1, 2, 3, 4, 5].map(() => register()));
    const ip = freshIp();
    for (const user of users.slice(0, 4)) {
      expect((await login(user.email, user.password, ip)).statusCode).toBe(200);
    }
    const [fifth] = users.slice(4);
    if (fifth === undefined) throw new Error('five users expected');
    expectRateLimited(await login(fifth.email, fifth.password, ip), 60);
    expect((await login(fifth.email, fifth.password, freshIp())).statusCode).toBe(200);
  });

  it('does not spend an account attempt on a request its address was refused for', async () => {
    const users = await Promise.all([1, 2, 3, 4].map(() => register()));
    const victim = await register();
    const ip = freshIp();
    for (const user of users) await login(user.email, 'wrong', ip);
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await login(victim.email, victim.password, ip)).statusCode).toBe(429);
    }
    expect((await login(victim.email, victim.password, freshIp())).statusCode).toBe(200);
  });

  it('does not count a request refused by validation, which checks no password', async () => {
    const user = await register();
    const ip = freshIp();
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/users/login',
        remoteAddress: ip,
        payload: { user: { email: user.email } },
      });
      expect(response.statusCode).toBe(422);
    }
    expect((await login(user.email, user.password, ip)).statusCode).toBe(200);
  });
});

describe('registration limit', () => {
  it('refuses the registration past the per-IP limit and creates no account', async () => {
    const ip = freshIp();
    const newUser = () => {
      const name = unique();
      return { user: { username: name, email: `${name}@example.com`, password: 'password123' } };
    };
    for (let index = 0; index < 2; index++) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/users',
        remoteAddress: ip,
        payload: newUser(),
      });
      expect(response.statusCode).toBe(201);
    }
    const before = await rowCounts(t.db);
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      remoteAddress: ip,
      payload: newUser(),
    });
    expectRateLimited(refused, 3_600);
    expect(await rowCounts(t.db)).toEqual(before);
  });
});

describe("a domain rule's refusal", () => {
  it('counts like any answer the handler gives: the schema lets it through', async () => {
    const ip = freshIp();
    const signUp = (username: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/users',
        remoteAddress: ip,
        payload: { user: { username, email: `${unique()}@example.com`, password: 'password123' } },
      });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await signUp('has a space')).statusCode).toBe(422);
    }
    expectRateLimited(await signUp(unique()), 3_600);
  });
});

describe('write limit', () => {
  it('refuses a user past the write limit and writes nothing', async () => {
    const writer = await register();
    const targets = await Promise.all([1, 2, 3, 4].map(() => register()));
    const follow = (username: string) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/profiles/${username}/follow`,
        headers: writer.headers,
      });
    for (const target of targets.slice(0, 3)) {
      expect((await follow(target.username)).statusCode).toBe(200);
    }
    const before = await rowCounts(t.db);
    expectRateLimited(await follow(targets[3]?.username ?? ''), 60);
    expect(await rowCounts(t.db)).toEqual(before);

    // Counted per user, not per address: another user on the same address may still write.
    const other = await register();
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/profiles/${targets[3]?.username ?? ''}/follow`,
      headers: other.headers,
    });
    expect(response.statusCode).toBe(200);
  });

  it('answers 401, uncounted, to a write without a token', async () => {
    const target = await register();
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await app.inject({
        method: 'POST',
        url: `/api/v1/profiles/${target.username}/follow`,
      });
      expect(response.statusCode).toBe(401);
    }
  });

  it('does not limit reads', async () => {
    const reader = await register();
    for (let attempt = 0; attempt < 6; attempt++) {
      const response = await app.inject({
        method: 'GET',
        url: `/api/v1/user`,
        headers: reader.headers,
      });
      expect(response.statusCode).toBe(200);
    }
  });
});

describe('rate-limit metrics', () => {
  it('counts rejections by limit', async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/^rate_limit_rejections_total\{limit="login-account"\} [1-9]\d*$/m);
    expect(text).toMatch(/^rate_limit_rejections_total\{limit="write-user"\} [1-9]\d*$/m);
    expect(text).toMatch(/^rate_limit_store_fallbacks_total 0$/m);
    // No breaker without Redis.
    expect(text).not.toContain('redis_breaker_state');
  });
});

describe('registerRateLimits', () => {
  it('refuses to register a write route that declares no rate limit', async () => {
    const bare = Fastify();
    registerRateLimits(bare, createMemoryRateLimitStore(), LIMITS, { accountKey: 'test-key' });
    expect(() => bare.post('/things', () => ({}))).toThrow(
      'route POST /things must declare config.rateLimit ([] for none)',
    );
    await bare.close();
  });

  it('accepts a write route that declares none explicitly, and reads without a declaration', async () => {
    const bare = Fastify();
    registerRateLimits(bare, createMemoryRateLimitStore(), LIMITS, { accountKey: 'test-key' });
    bare.post('/things', { config: { rateLimit: [] } }, () => ({ ok: true }));
    bare.get('/things', () => ({ ok: true }));
    await bare.ready();
    expect((await bare.inject({ method: 'POST', url: '/things' })).statusCode).toBe(200);
    await bare.close();
  });
});
