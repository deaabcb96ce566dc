import { randomUUID } from 'node:crypto';
import { count, eq, type SQL } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import { loadConfig } from '../../src/core/config.js';
import { IDEMPOTENCY_RETENTION_HOURS } from '../../src/core/idempotency.js';
import {
  connectPostgres,
  type Database,
  type DatabaseHandle,
} from '../../src/infrastructure/db/database.js';
import { articlesTable } from '../../src/infrastructure/db/schema/articles.js';
import { commentsTable } from '../../src/infrastructure/db/schema/comments.js';
import { idempotencyKeysTable } from '../../src/infrastructure/db/schema/idempotency.js';
import { TEST_TOKEN_SECRET, TEST_APP_OPTIONS } from '../helpers/app.js';
import { createArticle, registerUser, type RegisteredUser } from '../helpers/factories.js';
import {
  createTestPostgres,
  poolWarnings,
  waitForLockWaiters,
  type TestPostgres,
} from './postgres.js';

// How long a duplicate waits for the first request before a 409: long enough for a publish on
// a loaded CI machine (300 ms was not), and the 409 test holds its first request by a lock.
const WAIT_MS = 3_000;

/** Two instances sharing one PostgreSQL database, each with its own pool. */
describe.runIf(process.env.TEST_DATABASE_URL !== undefined)(
  'Idempotency-Key on PostgreSQL, across instances',
  () => {
    let postgres: TestPostgres;
    let secondPool: DatabaseHandle;
    let a: FastifyInstance;
    let b: FastifyInstance;
    let author: RegisteredUser;

    async function instance(database: DatabaseHandle): Promise<FastifyInstance> {
      const app = await buildApp({
        ...TEST_APP_OPTIONS,
        config: loadConfig({
          NODE_ENV: 'test',
          TOKEN_SECRET: TEST_TOKEN_SECRET,
          IDEMPOTENCY_WAIT_MS: String(WAIT_MS),
          RATE_LIMIT_WRITES_PER_MINUTE: '1000000',
          RATE_LIMIT_REGISTRATION_IP_PER_HOUR: '1000000',
        }),
        database,
      });
      await app.ready();
      return app;
    }

    beforeAll(async () => {
      postgres = await createTestPostgres();
      secondPool = connectPostgres(
        { url: postgres.url, poolSize: 10, statementTimeoutMs: 5_000, connectionTimeoutMs: 5_000 },
        poolWarnings,
      );
      a = await instance(postgres.handle);
      b = await instance(secondPool);
      author = await registerUser(a);
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      await secondPool.close();
      await postgres.drop();
    });

    function publish(key: string): InjectOptions {
      return {
        method: 'POST',
        url: '/api/v1/articles',
        headers: { ...author.headers, 'idempotency-key': key },
        payload: { article: { title: 'Exactly once', description: 'd', body: 'b' } },
      };
    }

    async function articles(): Promise<number> {
      const [row] = await postgres.handle.db.select({ count: count() }).from(articlesTable);
      return row?.count ?? 0;
    }

    it('20 concurrent identical requests over both instances: one article, one answer', async () => {
      const key = randomUUID();
      const before = await articles();
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? a : b).inject(publish(key))),
      );

      expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(201));
      expect(new Set(responses.map((response) => response.body)).size).toBe(1);
      expect(
        responses.filter((response) => response.headers['idempotent-replayed'] === undefined),
      ).toHaveLength(1);
      expect(await articles()).toBe(before + 1);
    });

    it('a key used through instance A replays through instance B', async () => {
      const key = randomUUID();
      const first = await a.inject(publish(key));
      const replay = await b.inject(publish(key));
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json()).toEqual(first.json());
    });

    it('answers 409 while the first request is still running, then replays it', async () => {
      const article = await createArticle(a, author);
      const key = randomUUID();
      const comment: InjectOptions = {
        method: 'POST',
        url: `/api/v1/articles/${article.slug}/comments`,
        headers: { ...author.headers, 'idempotency-key': key },
        payload: { comment: { body: 'Held up' } },
      };
      // A session holding the article row FOR UPDATE keeps the first comment's insert (which
      // takes a KEY SHARE lock on it through the foreign key) waiting.
      const blocker = new pg.Client({ connectionString: postgres.url });
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('SELECT id FROM articles WHERE slug = $1 FOR UPDATE', [article.slug]);
        const first = a.inject(comment);
        // Waiting on the article means its claim on the key is already inserted.
        await waitForLockWaiters(postgres.handle.db, 1);

        const duplicate = await b.inject(comment);
        expect(duplicate.statusCode).toBe(409);
        expect(duplicate.headers['retry-after']).toBe('1');
        expect(duplicate.json()).toMatchObject({
          errors: { 'idempotency-key': ['is in use by a request still running'] },
          error: { code: 'idempotency_key_in_use' },
        });

        await blocker.query('COMMIT');
        expect((await first).statusCode).toBe(201);
        const replay = await b.inject(comment);
        expect(replay.headers['idempotent-replayed']).toBe('true');
        expect(replay.json()).toEqual((await first).json());
        const [comments] = await postgres.handle.db
          .select({ count: count() })
          .from(commentsTable)
          .where(eq(commentsTable.body, 'Held up'));
        expect(comments?.count).toBe(1);
      } finally {
        await blocker.end();
      }
    });

    /**
     * Publishes with `key`, ages the key past its retention, then sends the request again
     * through B while a transaction holds the key's row; `meanwhile` runs in that transaction
     * once the retry waits on the row. Returns the first answer and the retry's.
     */
    async function retryExpiredKey(
      meanwhile: (other: Database, thisKey: SQL) => Promise<unknown>,
    ): Promise<{ first: LightMyRequestResponse; retry: LightMyRequestResponse }> {
      const key = randomUUID();
      const first = await a.inject(publish(key));
      expect(first.statusCode).toBe(201);
      const thisKey = eq(idempotencyKeysTable.key, key);
      const aged = new Date(Date.now() - (IDEMPOTENCY_RETENTION_HOURS + 1) * 60 * 60 * 1000);
      await postgres.handle.db.update(idempotencyKeysTable).set({ createdAt: aged }).where(thisKey);
      let retry: Promise<LightMyRequestResponse> | undefined;
      await postgres.handle.db.transaction(async (other) => {
        await other
          .select({ key: idempotencyKeysTable.key })
          .from(idempotencyKeysTable)
          .where(thisKey)
          .for('update');
        retry = b.inject(publish(key));
        await waitForLockWaiters(other, 1);
        await meanwhile(other, thisKey);
      });
      if (retry === undefined) throw new Error('the retry was not sent');
      return { first, retry: await retry };
    }

    it('runs a request whose key past its retention the cleanup deletes meanwhile', async () => {
      const before = await articles();
      // The transaction stands for the cleanup.
      const { retry } = await retryExpiredKey((cleanup, thisKey) =>
        cleanup.delete(idempotencyKeysTable).where(thisKey),
      );
      expect(retry.statusCode).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(await articles()).toBe(before + 2);
    });

    it('replays the answer of a request that took a key past its retention afresh meanwhile', async () => {
      const before = await articles();
      // The transaction stands for a request that takes the key afresh with the same answer.
      const { first, retry } = await retryExpiredKey((other, thisKey) =>
        other.update(idempotencyKeysTable).set({ createdAt: new Date() }).where(thisKey),
      );
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.json()).toEqual(first.json());
      expect(await articles()).toBe(before + 1);
    });
  },
);
