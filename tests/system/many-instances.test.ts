import { randomUUID } from 'node:crypto';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKEN_SECRET } from '../helpers/app.js';
import { createTestPostgres, type TestPostgres } from './postgres.js';
import { eventually } from './redis-server.js';

/**
 * Three Keel processes sharing one PostgreSQL behind a round-robin balancer: every request may
 * land on another instance, so anything kept in one process's memory would show.
 */

const ROOT = join(import.meta.dirname, '../..');
const SUITE = join(ROOT, '../shared/realworld/conformance.sh');
const INSTANCES = 3;
const enabled = process.env.TEST_DATABASE_URL !== undefined;
// With a Redis, the instances share it, as in production, and the login limit is low enough to
// see whether it is counted across instances.
const redisUrl = process.env.TEST_REDIS_URL;
const LOGINS_PER_ACCOUNT = 5;

function startKeel(databaseUrl: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      TOKEN_SECRET: TEST_TOKEN_SECRET,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      // The official suite writes a lot from one address; abuse limits have their own tests,
      // except the per-account login limit (the suite logs in at most 3 times per account).
      RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE: String(LOGINS_PER_ACCOUNT),
      ...(redisUrl !== undefined && { REDIS_URL: redisUrl }),
      RATE_LIMIT_LOGIN_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_REGISTRATION_IP_PER_HOUR: '1000000',
      RATE_LIMIT_WRITES_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const port = /Keel listening on http:\/\/127\.0\.0\.1:(\d+),/.exec(line)?.[1];
      if (port !== undefined) resolve({ child, port: Number(port) });
    });
    child.once('exit', (code) => {
      reject(new Error(`Keel exited with ${String(code)} before listening`));
    });
  });
}

/** A minimal load balancer: each request goes to the next instance in turn. */
function roundRobin(ports: readonly number[]): Promise<Server> {
  let next = 0;
  const server = createServer((incoming, outgoing) => {
    const port = ports[next++ % ports.length];
    const upstream = forward(
      {
        host: '127.0.0.1',
        port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => {
      outgoing.writeHead(502).end(error.message);
    });
    incoming.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve(server);
    }),
  );
}

describe.runIf(enabled)(
  'three instances behind a round-robin balancer',
  // The official suite through the balancer takes about 100 s alone on the CI machine's two
  // cores, and more than 240 s once while another test file and other work shared them.
  { timeout: 480_000 },
  () => {
    let database: TestPostgres;
    let instances: { child: ChildProcess; port: number }[];
    let balancer: Server;
    let origin: string;

    beforeAll(async () => {
      database = await createTestPostgres();
      instances = await Promise.all(
        Array.from({ length: INSTANCES }, () => startKeel(database.url)),
      );
      balancer = await roundRobin(instances.map((instance) => instance.port));
      origin = `http://127.0.0.1:${String((balancer.address() as AddressInfo).port)}`;
    }, 120_000);

    afterAll(async () => {
      await new Promise((resolve) => balancer.close(resolve));
      await Promise.all(
        instances.map(
          ({ child }) =>
            new Promise((resolve) => {
              child.once('exit', resolve);
              child.kill('SIGTERM');
            }),
        ),
      );
      await database.drop();
    }, 60_000);

    /** How many cache invalidations the instance on `port` has received from Redis. */
    async function invalidationsReceived(port: number): Promise<number> {
      const series = 'cache_invalidations_total{outcome="received"}';
      const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
      return line === undefined ? 0 : Number(line.slice(series.length + 1));
    }

    /** Registers `name` and publishes an article through the balancer: its headers and slug. */
    async function authorWithArticle(
      name: string,
      article: { title: string; body: string },
    ): Promise<{ headers: Record<string, string>; slug: string }> {
      const registered = await fetch(`${origin}/api/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          user: { username: name, email: `${name}@example.com`, password: 'password123' },
        }),
      });
      const { user } = (await registered.json()) as { user: { token: string } };
      const headers = { authorization: `Token ${user.token}`, 'content-type': 'application/json' };
      const created = await fetch(`${origin}/api/v1/articles`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ article: { ...article, description: 'd' } }),
      });
      const { slug } = ((await created.json()) as { article: { slug: string } }).article;
      return { headers, slug };
    }

    it('accepts a token issued by one instance on every other, and shows a write at once everywhere', async () => {
      const { headers, slug } = await authorWithArticle('roundrobin', {
        title: 'Everywhere',
        body: 'b',
      });
      // One request per instance, directly: each sees the write and honours the token.
      for (const { port } of instances) {
        const response = await fetch(`http://127.0.0.1:${String(port)}/api/v1/articles/${slug}`, {
          headers,
        });
        expect(response.status).toBe(200);
        expect(
          (await fetch(`http://127.0.0.1:${String(port)}/api/v1/user`, { headers })).status,
        ).toBe(200);
      }
    });

    it('shows an article edited through one instance on every other, caches warmed', async () => {
      const { headers, slug } = await authorWithArticle(`cached${String(Date.now())}`, {
        title: 'Cached',
        body: 'old',
      });
      const url = `${origin}/api/v1/articles/${slug}`;
      /** The body an anonymous reader sees on each instance in turn (round robin). */
      const bodies = async (): Promise<string[]> => {
        const seen: string[] = [];
        for (let read = 0; read < INSTANCES; read++) {
          const response = await fetch(url);
          seen.push(((await response.json()) as { article: { body: string } }).article.body);
        }
        return seen;
      };
      // Twice round: with Redis, every instance now answers from its cache.
      expect([...(await bodies()), ...(await bodies())]).toEqual(
        Array<string>(2 * INSTANCES).fill('old'),
      );
      const before = await Promise.all(instances.map(({ port }) => invalidationsReceived(port)));
      const edited = await fetch(url, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ article: { body: 'new' } }),
      });
      expect(edited.status).toBe(200);
      if (redisUrl !== undefined) {
        // Each instance drops its entry when the message arrives, which can be a few ms after
        // the writer's answer (spec.md §5, "What a client sees").
        await eventually(async () => {
          const now = await Promise.all(instances.map(({ port }) => invalidationsReceived(port)));
          return now.every((count, index) => count > (before[index] ?? count));
        }, 5_000);
      }
      expect(await bodies()).toEqual(Array<string>(INSTANCES).fill('new'));
    });

    it('replays an Idempotency-Key on every instance: one comment, one answer', async () => {
      const { headers, slug } = await authorWithArticle(`keyed${String(Date.now())}`, {
        title: 'Keyed',
        body: 'b',
      });
      const key = randomUUID();
      // The same keyed request to each instance in turn, directly.
      const answers = [];
      for (const { port } of instances) {
        const response = await fetch(
          `http://127.0.0.1:${String(port)}/api/v1/articles/${slug}/comments`,
          {
            method: 'POST',
            headers: { ...headers, 'idempotency-key': key },
            body: JSON.stringify({ comment: { body: 'Said once' } }),
          },
        );
        answers.push({
          status: response.status,
          replayed: response.headers.get('idempotent-replayed'),
          body: await response.text(),
        });
      }
      expect(answers.map(({ status, replayed }) => [status, replayed])).toEqual([
        [201, null],
        [201, 'true'],
        [201, 'true'],
      ]);
      expect(new Set(answers.map(({ body }) => body)).size).toBe(1);
      const comments = await fetch(`${origin}/api/v1/articles/${slug}/comments`);
      expect(((await comments.json()) as { comments: unknown[] }).comments).toHaveLength(1);
    });

    it.runIf(redisUrl !== undefined)(
      'counts a login limit across all instances through Redis',
      async () => {
        const email = `limited-${String(Date.now())}@example.com`;
        const registered = await fetch(`${origin}/api/v1/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            user: { username: `limited${String(Date.now())}`, email, password: 'password123' },
          }),
        });
        expect(registered.status).toBe(201);
        const statuses: number[] = [];
        // Round robin: these attempts land on the three instances in turn.
        for (let attempt = 0; attempt <= LOGINS_PER_ACCOUNT; attempt++) {
          const response = await fetch(`${origin}/api/v1/users/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ user: { email, password: 'wrong-password' } }),
          });
          statuses.push(response.status);
        }
        expect(statuses).toEqual([...Array<number>(LOGINS_PER_ACCOUNT).fill(401), 429]);
      },
    );

    it('passes the official RealWorld suite through the balancer', async () => {
      const { stdout } = await promisify(execFile)('bash', [SUITE, origin], {
        maxBuffer: 32 * 1024 * 1024,
      });
      expect(stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    });
  },
);
