import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createTestApp, TEST_TOKEN_SECRET, type TestApp } from '../helpers/app.js';
import { unique } from '../helpers/factories.js';

/**
 * Which address the per-IP limits count (spec.md §8, docs/security.md "Rate limits and client
 * addresses"): the TCP peer, or with `TRUST_PROXY_HOPS=n` the address `n` hops back in
 * `X-Forwarded-For`, never one a client wrote there itself. One registration per address here.
 */
function appTrusting(hops: number): Promise<TestApp> {
  return createTestApp(
    loadConfig({
      NODE_ENV: 'test',
      TOKEN_SECRET: TEST_TOKEN_SECRET,
      RATE_LIMIT_REGISTRATION_IP_PER_HOUR: '1',
      TRUST_PROXY_HOPS: String(hops),
    }),
  );
}

/** A registration arriving from TCP peer `peer`, with `forwarded` as its X-Forwarded-For. */
async function register(t: TestApp, peer: string, forwarded?: string): Promise<number> {
  const name = unique();
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    remoteAddress: peer,
    headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
    payload: { user: { username: name, email: `${name}@example.com`, password: 'password123' } },
  });
  return response.statusCode;
}

describe('TRUST_PROXY_HOPS=0 (the default): the TCP peer is the client', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await appTrusting(0);
  });
  afterAll(() => t.close());

  it('ignores X-Forwarded-For: a client naming a new address each time is still one address', async () => {
    expect(await register(t, '192.0.2.1', '203.0.113.1')).toBe(201);
    expect(await register(t, '192.0.2.1', '203.0.113.2')).toBe(429);
    expect(await register(t, '192.0.2.2', '203.0.113.1')).toBe(201);
  });
});

describe('TRUST_PROXY_HOPS=1: one proxy in front, which appends the address it saw', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await appTrusting(1);
  });
  afterAll(() => t.close());

  const PROXY = '10.0.0.1';

  it('counts the address the proxy appended, whichever proxy connection carried it', async () => {
    expect(await register(t, PROXY, '198.51.100.1')).toBe(201);
    expect(await register(t, PROXY, '198.51.100.2')).toBe(201);
    expect(await register(t, '10.0.0.2', '198.51.100.1')).toBe(429);
  });

  it("never believes what the client wrote before the proxy's entry", async () => {
    expect(await register(t, PROXY, '198.51.100.7')).toBe(201);
    // The client forged a fresh address; the proxy appended the real one after it.
    expect(await register(t, PROXY, '203.0.113.99, 198.51.100.7')).toBe(429);
  });

  it('counts a request that came without the header by its TCP peer', async () => {
    expect(await register(t, '10.0.0.9')).toBe(201);
    expect(await register(t, '10.0.0.9')).toBe(429);
  });
});

describe('an IPv6 client is its /64 network', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await appTrusting(0);
  });
  afterAll(() => t.close());

  it('counts every address of one /64 as one client, however it is spelled', async () => {
    // A subscriber's link gets a whole /64: it may pick any of its 2^64 addresses per request.
    expect(await register(t, '2001:db8:1:2::1')).toBe(201);
    expect(await register(t, '2001:db8:1:2::2')).toBe(429);
    expect(await register(t, '2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(429);
    expect(await register(t, '2001:0DB8:0001:0002:0:0:0:1')).toBe(429);
  });

  it('keeps other /64 networks apart, even next door', async () => {
    expect(await register(t, '2001:db8:1:3::1')).toBe(201);
    expect(await register(t, '2001:db8:1:4::1')).toBe(201);
  });

  it('counts an IPv4 client on a dual-stack socket as its IPv4 address, not one /64 for all', async () => {
    expect(await register(t, '::ffff:192.0.2.50')).toBe(201);
    expect(await register(t, '192.0.2.50')).toBe(429);
    expect(await register(t, '::ffff:c000:232')).toBe(429);
    expect(await register(t, '::ffff:192.0.2.51')).toBe(201);
  });
});

describe('TRUST_PROXY_HOPS=1 with IPv6 clients', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await appTrusting(1);
  });
  afterAll(() => t.close());

  it('counts the /64 of the address the proxy appended', async () => {
    expect(await register(t, '10.0.0.1', '2001:db8:5:6::a')).toBe(201);
    expect(await register(t, '10.0.0.1', '2001:db8:5:6::b')).toBe(429);
  });
});
