import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanUpPeriodically } from '../../src/core/housekeeping.js';
import { createIdempotencyStore } from '../../src/infrastructure/db/idempotency-store.js';
import { idempotencyKeysTable } from '../../src/infrastructure/db/schema/idempotency.js';
import { articlesTable } from '../../src/infrastructure/db/schema/articles.js';
import { commentsTable } from '../../src/infrastructure/db/schema/comments.js';
import { loadConfig } from '../../src/core/config.js';
import {
  createTestApp,
  expectRefused,
  rowCounts,
  TEST_ENVIRONMENT,
  type TestApp,
} from '../helpers/app.js';
import { createArticle, registerUser, unique, type RegisteredUser } from '../helpers/factories.js';

let t: TestApp;
let author: RegisteredUser;
let other: RegisteredUser;

beforeAll(async () => {
  t = await createTestApp();
  author = await registerUser(t.app);
  other = await registerUser(t.app);
});
afterAll(() => t.close());

function publish(user: RegisteredUser, key: string | undefined, title = 'Keyed'): InjectOptions {
  return {
    method: 'POST',
    url: '/api/v1/articles',
    headers: { ...user.headers, ...(key !== undefined && { 'idempotency-key': key }) },
    payload: { article: { title, description: 'd', body: 'b', tagList: ['keyed'] } },
  };
}

async function articleCount(): Promise<number> {
  const [row] = await t.db.select({ count: count() }).from(articlesTable);
  return row?.count ?? 0;
}

function replayed(response: LightMyRequestResponse): string | undefined {
  const value = response.headers['idempotent-replayed'];
  return typeof value === 'string' ? value : undefined;
}

describe('Idempotency-Key on publishing', () => {
  it('creates once: a repeat answers the first status and body, marked as replayed', async () => {
    const key = randomUUID();
    const before = await articleCount();
    const first = await t.app.inject(publish(author, key));
    const again = await t.app.inject(publish(author, key));

    expect(first.statusCode).toBe(201);
    expect(replayed(first)).toBeUndefined();
    expect(again.statusCode).toBe(201);
    expect(replayed(again)).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await articleCount()).toBe(before + 1);
  });

  it('answers the same to concurrent duplicates and creates exactly one article', async () => {
    const key = randomUUID();
    const before = await articleCount();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => t.app.inject(publish(author, key))),
    );

    expect(new Set(responses.map((response) => response.statusCode))).toEqual(new Set([201]));
    expect(new Set(responses.map((response) => response.body)).size).toBe(1);
    expect(responses.filter((response) => replayed(response) === undefined)).toHaveLength(1);
    expect(await articleCount()).toBe(before + 1);
  });

  it('without a key, a repeat creates another article (a new slug)', async () => {
    const title = unique('Twice');
    const first = await t.app.inject(publish(author, undefined, title));
    const second = await t.app.inject(publish(author, undefined, title));
    expect(second.json<{ article: { slug: string } }>().article.slug).not.toBe(
      first.json<{ article: { slug: string } }>().article.slug,
    );
  });

  it('refuses the same key with a different payload (422) and writes nothing', async () => {
    const key = randomUUID();
    await t.app.inject(publish(author, key, 'First payload'));
    await expectRefused(t, publish(author, key, 'Second payload'), 422, 'idempotency_key_reused', {
      'idempotency-key': ['was used for a different request'],
    });
  });

  it("scopes keys to the caller: B's request with A's key is B's own", async () => {
    const key = randomUUID();
    const mine = await t.app.inject(publish(author, key));
    const theirs = await t.app.inject(publish(other, key));

    expect(theirs.statusCode).toBe(201);
    expect(replayed(theirs)).toBeUndefined();
    expect(
      theirs.json<{ article: { author: { username: string } } }>().article.author.username,
    ).toBe(other.username);
    expect(mine.json<{ article: { slug: string } }>().article.slug).not.toBe(
      theirs.json<{ article: { slug: string } }>().article.slug,
    );
  });

  it('serves the same key under /api and /api/v1 as one route', async () => {
    const key = randomUUID();
    const first = await t.app.inject(publish(author, key));
    const legacy = await t.app.inject({ ...publish(author, key), url: '/api/articles' });
    expect(replayed(legacy)).toBe('true');
    expect(legacy.json()).toEqual(first.json());
  });

  it.each([
    ['too long', 'k'.repeat(256), 'is too long (maximum is 255 characters)'],
    ['with a space', 'two words', 'is invalid'],
    ['not ASCII', 'clé', 'is invalid'],
  ])('refuses a key %s with 400 before doing anything', async (_case, key, message) => {
    await expectRefused(t, publish(author, key), 400, 'invalid_header', {
      'idempotency-key': [message],
    });
  });

  it('accepts a key of exactly 255 visible characters', async () => {
    const response = await t.app.inject(publish(author, '~'.repeat(255)));
    expect(response.statusCode).toBe(201);
  });

  it('stores nothing for a request refused by validation, auth or the domain', async () => {
    const key = randomUUID();
    const before = await rowCounts(t.db);
    const invalid = await t.app.inject({
      ...publish(author, key),
      payload: { article: { title: '', description: 'd', body: 'b' } },
    });
    const anonymous = await t.app.inject({
      ...publish(author, key),
      headers: { 'idempotency-key': key },
    });
    expect([invalid.statusCode, anonymous.statusCode]).toEqual([422, 401]);
    expect(await rowCounts(t.db)).toEqual(before);
    // The key is still free: the first valid request with it creates.
    const valid = await t.app.inject(publish(author, key));
    expect(valid.statusCode).toBe(201);
    expect(replayed(valid)).toBeUndefined();
  });
});

describe('Idempotency-Key and rate limits', () => {
  it('keeps nothing for a request refused by a rate limit: the key stays free', async () => {
    const limited = await createTestApp(
      loadConfig({ ...TEST_ENVIRONMENT, RATE_LIMIT_WRITES_PER_MINUTE: '1' }),
    );
    try {
      const writer = await registerUser(limited.app);
      const key = randomUUID();
      const request: InjectOptions = {
        method: 'POST',
        url: '/api/v1/articles',
        headers: { ...writer.headers, 'idempotency-key': key },
        payload: { article: { title: 'Limited', description: 'd', body: 'b' } },
      };
      const first = await limited.app.inject({ ...request, headers: writer.headers });
      expect(first.statusCode).toBe(201);
      const before = await rowCounts(limited.db);
      const refused = await limited.app.inject(request);
      expect(refused.statusCode).toBe(429);
      expect(await rowCounts(limited.db)).toEqual(before);
    } finally {
      await limited.close();
    }
  });
});

describe('Idempotency-Key on comments', () => {
  it('adds one comment however often it is sent; another article is another request', async () => {
    const article = await createArticle(t.app, author);
    const elsewhere = await createArticle(t.app, author);
    const key = randomUUID();
    const comment = (slug: string): InjectOptions => ({
      method: 'POST',
      url: `/api/v1/articles/${slug}/comments`,
      headers: { ...other.headers, 'idempotency-key': key },
      payload: { comment: { body: 'Once only' } },
    });
    const [first, second] = await Promise.all([
      t.app.inject(comment(article.slug)),
      t.app.inject(comment(article.slug)),
    ]);
    const [comments] = await t.db.select({ count: count() }).from(commentsTable);

    expect(first.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(comments?.count).toBe(1);
    const moved = await t.app.inject(comment(elsewhere.slug));
    expect(moved.statusCode).toBe(422);
  });

  it('does not keep a refused comment: a 404 leaves the key unused', async () => {
    const key = randomUUID();
    const before = await rowCounts(t.db);
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/articles/no-such-article/comments',
      headers: { ...other.headers, 'idempotency-key': key },
      payload: { comment: { body: 'Lost' } },
    });
    expect(missing.statusCode).toBe(404);
    expect(await rowCounts(t.db)).toEqual(before);
  });
});

describe('Idempotency-Key on registration', () => {
  function register(key: string, name: string, password = 'password123'): InjectOptions {
    return {
      method: 'POST',
      url: '/api/v1/users',
      headers: { 'idempotency-key': key },
      payload: { user: { username: name, email: `${name}@example.com`, password } },
    };
  }

  it('registers once; the replay carries a working token, and no token is stored', async () => {
    const key = randomUUID();
    const name = unique();
    const first = await t.app.inject(register(key, name));
    const again = await t.app.inject(register(key, name));

    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(replayed(again)).toBe('true');
    const token = again.json<{ user: { token: string } }>().user.token;
    expect(again.json()).toMatchObject({ user: { username: name, email: `${name}@example.com` } });
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/user',
      headers: { authorization: `Token ${token}` },
    });
    expect(me.json()).toMatchObject({ user: { username: name } });

    const stored = await t.db.select().from(idempotencyKeysTable);
    const firstToken = first.json<{ user: { token: string } }>().user.token;
    expect(JSON.stringify(stored)).not.toContain(firstToken);
    expect(JSON.stringify(stored)).not.toContain('password123');
  });

  it('scopes anonymous keys to the email: two people may pick the same key', async () => {
    const key = 'signup-1';
    const [one, two] = [unique(), unique()];
    const first = await t.app.inject(register(key, one));
    const second = await t.app.inject(register(key, two));
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(replayed(second)).toBeUndefined();
  });

  it('replays as a login: once the password has changed, the old one gets 401', async () => {
    const key = randomUUID();
    const name = unique();
    const first = await t.app.inject(register(key, name));
    const token = first.json<{ user: { token: string } }>().user.token;
    const changed = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/user',
      headers: { authorization: `Token ${token}` },
      payload: { user: { password: 'a-brand-new-password' } },
    });
    expect(changed.statusCode).toBe(200);

    const replay = await t.app.inject(register(key, name));
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
  });

  it('a different password under the same key is a different request', async () => {
    const key = randomUUID();
    const name = unique();
    await t.app.inject(register(key, name));
    const other = await t.app.inject(register(key, name, 'another-password'));
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error: { code: 'idempotency_key_reused' } });
  });

  it('a refused registration (409) keeps nothing under its key', async () => {
    const taken = await registerUser(t.app);
    const key = randomUUID();
    const refused = await t.app.inject(register(key, taken.username));
    expect(refused.statusCode).toBe(409);
    const [row] = await t.db
      .select({ count: count() })
      .from(idempotencyKeysTable)
      .where(eq(idempotencyKeysTable.key, key));
    expect(row?.count).toBe(0);
  });
});

describe('Idempotency-Key retention', () => {
  it('deletes keys older than 24 h and treats an expired key as new', async () => {
    const key = randomUUID();
    const first = await t.app.inject(publish(author, key));
    expect(first.statusCode).toBe(201);
    await t.db
      .update(idempotencyKeysTable)
      .set({ createdAt: new Date(Date.now() - 25 * 3600 * 1000) })
      .where(eq(idempotencyKeysTable.key, key));

    const afterExpiry = await t.app.inject(publish(author, key));
    expect(afterExpiry.statusCode).toBe(201);
    expect(replayed(afterExpiry)).toBeUndefined();
  });

  it('the cleanup deletes exactly the keys past 24 h', async () => {
    const stale = randomUUID();
    const fresh = randomUUID();
    await t.app.inject(publish(author, stale, 'Stale'));
    await t.app.inject(publish(author, fresh, 'Fresh'));
    await t.db
      .update(idempotencyKeysTable)
      .set({ createdAt: new Date(Date.now() - 25 * 3600 * 1000) })
      .where(eq(idempotencyKeysTable.key, stale));

    const deleted = await createIdempotencyStore(t.db, 1000).expire();
    const keys = (
      await t.db.select({ key: idempotencyKeysTable.key }).from(idempotencyKeysTable)
    ).map((row) => row.key);
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(keys).not.toContain(stale);
    expect(keys).toContain(fresh);
  });

  it('runs the cleanup on its own every interval, until the app closes', async () => {
    const stale = randomUUID();
    await t.app.inject(publish(author, stale, 'Left behind'));
    await t.db
      .update(idempotencyKeysTable)
      .set({ createdAt: new Date(Date.now() - 25 * 3600 * 1000) })
      .where(eq(idempotencyKeysTable.key, stale));
    const host = Fastify({ logger: false });
    const store = createIdempotencyStore(t.db, 1000);
    cleanUpPeriodically(
      host,
      'expired idempotency keys',
      { intervalMs: 10, firstRunMs: { min: 0, max: 10 } },
      () => store.expire(),
    );
    await host.ready();
    try {
      await vi.waitFor(async () => {
        const rows = await t.db
          .select({ key: idempotencyKeysTable.key })
          .from(idempotencyKeysTable)
          .where(eq(idempotencyKeysTable.key, stale));
        expect(rows).toEqual([]);
      });
    } finally {
      await host.close();
    }
  });
});
