import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import { TEST_TOKEN_SECRET, TEST_APP_OPTIONS } from '../helpers/app.js';
import { createArticle, registerUser } from '../helpers/factories.js';
import { createTestPostgres, type TestPostgres } from './postgres.js';

/** Keel against a real PostgreSQL server, the way production runs it. */

const ROOT = join(import.meta.dirname, '../..');
const enabled = process.env.TEST_DATABASE_URL !== undefined;

function environment(overrides: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([key]) => key !== 'DATABASE_READ_URL');
  return {
    ...Object.fromEntries(inherited),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

/** Starts Keel as a process and resolves with its origin once it listens. */
function start(databaseUrl: string): Promise<{ child: ChildProcess; origin: string }> {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['src/server.ts'], {
    cwd: ROOT,
    env: environment({
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      TOKEN_SECRET: TEST_TOKEN_SECRET,
    }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const origin = /Keel listening on (http:\/\/[^,]+),/.exec(line)?.[1];
      if (origin !== undefined) resolve({ child, origin });
    });
    child.once('exit', (code) => {
      reject(new Error(`Keel exited with ${String(code)} before listening`));
    });
  });
}

describe.runIf(enabled)('production mode on PostgreSQL', { timeout: 60_000 }, () => {
  let primary: TestPostgres;
  beforeAll(async () => {
    primary = await createTestPostgres();
  });
  afterAll(() => primary.drop());

  it('finishes a request in flight on SIGTERM, then exits 0', async () => {
    const { child, origin } = await start(primary.url);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const post = (path: string, body: unknown, token?: string): Promise<Response> =>
      fetch(`${origin}${path}`, {
        method: path.startsWith('/api/v1/articles/') ? 'PUT' : 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token && { authorization: `Token ${token}` }),
        },
        body: JSON.stringify(body),
      });
    const registered = await post('/api/v1/users', {
      user: { username: 'slowpoke', email: 'slowpoke@example.com', password: 'password123' },
    });
    const { user } = (await registered.json()) as { user: { token: string } };
    const created = await post(
      '/api/v1/articles',
      { article: { title: 'Slow', description: 'd', body: 'b' } },
      user.token,
    );
    const { article } = (await created.json()) as { article: { slug: string } };

    // Hold the article's row lock, so the update below waits inside the server.
    const blocker = new pg.Client({ connectionString: primary.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM articles WHERE slug = $1 FOR UPDATE', [article.slug]);
    const update = post(
      `/api/v1/articles/${article.slug}`,
      { article: { body: 'finally' } },
      user.token,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await blocker.query('COMMIT');
    await blocker.end();

    const response = await update;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { article: { body: string } }).article.body).toBe('finally');
    expect(await exited).toBe(0);
  });

  it('reads articles from DATABASE_READ_URL and everything else from the primary', async () => {
    const replica = await createTestPostgres();
    try {
      const app = await buildApp({
        ...TEST_APP_OPTIONS,
        database: primary.handle,
        readDatabase: replica.handle,
      });
      try {
        const author = await registerUser(app);
        // The write answers from the primary: the author reads their own write.
        const article = await createArticle(app, author);
        expect(article.slug).toEqual(expect.any(String));
        // The "replica" here is an unrelated empty database, so reads served by it find nothing.
        const listed = await app.inject({
          method: 'GET',
          url: `/api/v1/articles?author=${author.username}`,
        });
        expect(listed.json()).toEqual({ articles: [], articlesCount: 0 });
        const single = await app.inject({ method: 'GET', url: `/api/v1/articles/${article.slug}` });
        expect(single.statusCode).toBe(404);
        const ready = await app.inject({ method: 'GET', url: '/health/ready' });
        expect(ready.json().checks.map((check: { name: string }) => check.name)).toEqual([
          'database',
          'migrations',
          'read database',
          'read migrations',
        ]);
      } finally {
        await app.close();
      }
    } finally {
      await replica.drop();
    }
  });

  it('recovers without a restart when the server ends its pooled connections', async () => {
    const app = await buildApp({
      ...TEST_APP_OPTIONS,
      database: primary.handle,
    });
    try {
      expect((await app.inject({ method: 'GET', url: '/api/v1/tags' })).statusCode).toBe(200);
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      const database = new URL(primary.url).pathname.slice(1);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const after = await app.inject({ method: 'GET', url: '/api/v1/tags' });
      expect(after.statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
