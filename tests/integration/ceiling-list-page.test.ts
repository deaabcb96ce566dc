import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ceilingApp, embeddedCeiling } from '../../bench/ceilings/ceiling-app.js';
import { embedded } from '../../src/infrastructure/db/database.js';
import { createTestApp, openTestClient, type TestApp } from '../helpers/app.js';
import { createArticle, registerUser } from '../helpers/factories.js';

let keel: TestApp;
let ceiling: FastifyInstance;
beforeAll(async () => {
  const client = await openTestClient();
  keel = await createTestApp(undefined, undefined, { database: embedded(client) });
  const [author, other] = [await registerUser(keel.app), await registerUser(keel.app)];
  for (let i = 0; i < 7; i++) {
    await createArticle(keel.app, i % 2 === 0 ? author : other, {
      tagList: i % 3 === 0 ? [] : ['ceiling', `tag-${String(i)}`],
    });
  }
  // The bio and image stay null for one author and are set for the other.
  const updated = await keel.app.inject({
    method: 'PUT',
    url: '/api/v1/user',
    headers: other.headers,
    payload: { user: { bio: 'Writes "quoted" text', image: 'https://example.com/a.png' } },
  });
  expect(updated.statusCode).toBe(200);
  ceiling = ceilingApp(await embeddedCeiling(client));
});
afterAll(async () => {
  // The ceilings close the client the two share, after Keel's app (not `keel.close()`, which
  // would close it too).
  await keel.app.close();
  await ceiling.close();
});

describe("the bench's list ceiling", () => {
  it.each(['', '?limit=3', '?limit=3&offset=2', '?limit=50&offset=6'])(
    'answers the page Keel answers for the same bounds (%s), byte for byte',
    async (query) => {
      const [bare, keels] = await Promise.all([
        ceiling.inject({ method: 'GET', url: `/list-page${query}` }),
        keel.app.inject({ method: 'GET', url: `/api/v1/articles${query}` }),
      ]);
      expect(bare.statusCode).toBe(200);
      expect(keels.statusCode).toBe(200);
      expect(bare.body).toBe(keels.body);
      expect(bare.json<{ articlesCount: number }>().articlesCount).toBe(7);
    },
  );
});
