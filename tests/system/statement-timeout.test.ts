import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArticle, registerUser } from '../helpers/factories.js';
import { createSystemApp, waitForLockWaiters, type SystemApp } from './postgres.js';

/**
 * A statement PostgreSQL cancels at `statement_timeout` (5 s here, as by default) is the database
 * unable to serve the request now, not a defect: 503 `service_unavailable` with `Retry-After`,
 * as for a database that can't be reached, and a write keeps nothing (spec.md §6).
 */
describe.runIf(process.env.TEST_DATABASE_URL !== undefined)(
  'a statement that outlasts the statement timeout',
  () => {
    let t: SystemApp;
    beforeAll(async () => {
      t = await createSystemApp();
    });
    afterAll(() => t.close());

    it('answers 503 to a read and a write held behind a lock, the write keeping nothing', async () => {
      const author = await registerUser(t.app);
      const article = await createArticle(t.app, author);
      const reader = await registerUser(t.app);
      // A long command's lock on the articles table (a migration rewriting it, say).
      const holder = new pg.Client({ connectionString: t.url });
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query('lock table articles in access exclusive mode');
        const answers = Promise.all([
          t.app.inject({ method: 'GET', url: '/api/v1/articles' }),
          t.app.inject({
            method: 'POST',
            url: `/api/v1/articles/${article.slug}/favorite`,
            headers: reader.headers,
          }),
        ]);
        await waitForLockWaiters(t.db, 2);
        for (const response of await answers) {
          expect(response.statusCode, response.body).toBe(503);
          expect(response.headers['retry-after']).toBe('5');
          expect(response.json()).toMatchObject({ error: { code: 'service_unavailable' } });
        }
      } finally {
        await holder.query('rollback');
        await holder.end();
      }

      const after = await t.app.inject({
        method: 'GET',
        url: `/api/v1/articles/${article.slug}`,
        headers: reader.headers,
      });
      expect(after.json()).toMatchObject({ article: { favorited: false, favoritesCount: 0 } });
    });
  },
);
