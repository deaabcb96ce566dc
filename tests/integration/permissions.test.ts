import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import type { Permission } from '../../src/core/http/permissions.js';
import type { Role } from '../../src/domain/shared/roles.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import {
  createTestApp,
  expectRefused,
  openTestDatabase,
  TEST_TOKEN_SECRET,
  testConfig,
  type TestApp,
} from '../helpers/app.js';
import { registerUser, type RegisteredUser } from '../helpers/factories.js';

/** Test-only routes needing a capability, for roles to be refused or let through. */
async function capabilityRoutes(app: FastifyInstance): Promise<void> {
  await app.register(
    (scope, _options, done) => {
      for (const permission of ['articles:moderate', 'audit:read'] as const) {
        scope.get(`/${permission}`, { config: { permission } }, (request) => ({
          viewer: request.viewer,
        }));
      }
      done();
    },
    { prefix: '/test' },
  );
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp(testConfig, undefined, { extend: capabilityRoutes });
});
afterAll(() => t.close());

async function withRole(role: Role): Promise<RegisteredUser> {
  const user = await registerUser(t.app);
  await t.db.update(usersTable).set({ role }).where(eq(usersTable.username, user.username));
  return user;
}

function feed(user: RegisteredUser) {
  return t.app.inject({ method: 'GET', url: '/api/v1/articles/feed', headers: user.headers });
}

function call(permission: string, user?: RegisteredUser) {
  return t.app.inject({
    method: 'GET',
    url: `/test/${permission}`,
    ...(user !== undefined && { headers: user.headers }),
  });
}

describe('a route that needs a capability', () => {
  it.each([
    ['user', 'articles:moderate', 403],
    ['user', 'audit:read', 403],
    ['moderator', 'articles:moderate', 200],
    ['moderator', 'audit:read', 403],
    ['admin', 'articles:moderate', 200],
    ['admin', 'audit:read', 200],
  ] as const)('answers a %s calling for %s with %i', async (role, permission, status) => {
    const response = await call(permission, await withRole(role));
    expect(response.statusCode).toBe(status);
    if (status === 200) expect(response.json()).toEqual({ viewer: expect.any(Number) });
  });

  it('refuses a role without the capability with 403 forbidden, naming it, writing nothing', async () => {
    const user = await withRole('user');
    await expectRefused(
      t,
      { method: 'GET', url: '/test/articles:moderate', headers: user.headers },
      403,
      'forbidden',
      { permission: ['forbidden'] },
    );
    expect((await call('articles:moderate', user)).json()).toMatchObject({
      error: {
        message: 'this route requires the articles:moderate permission',
        details: { permission: 'articles:moderate' },
      },
    });
  });

  it('reads the role when it authenticates each request, not from the token', async () => {
    const user = await withRole('user');
    // A read needing no capability caches the account's standing (spec.md §5); this one is
    // checked against the account as stored all the same.
    expect((await feed(user)).statusCode).toBe(200);
    expect((await call('articles:moderate', user)).statusCode).toBe(403);
    await t.db
      .update(usersTable)
      .set({ role: 'moderator' })
      .where(eq(usersTable.username, user.username));
    expect((await call('articles:moderate', user)).statusCode).toBe(200);
    await t.db
      .update(usersTable)
      .set({ role: 'user' })
      .where(eq(usersTable.username, user.username));
    expect((await call('articles:moderate', user)).statusCode).toBe(403);
  });

  it('answers 401, not 403, without a token or with a revoked one', async () => {
    await expectRefused(t, { method: 'GET', url: '/test/audit:read' }, 401, 'token_missing', {
      token: ['is missing'],
    });
    const admin = await withRole('admin');
    await t.app.inject({ method: 'POST', url: '/api/v1/user/logout-all', headers: admin.headers });
    await expectRefused(
      t,
      { method: 'GET', url: '/test/audit:read', headers: admin.headers },
      401,
      'token_invalid',
      { token: ['is invalid'] },
    );
  });
});

describe("a read's token, checked against the standing this instance last read", () => {
  it('may read on a moment after a change Keel did not make, and changes nothing', async () => {
    const user = await withRole('user');
    expect((await feed(user)).statusCode).toBe(200);
    // Suspended by SQL: no invalidation tells the cache (Keel's own suspension does, admin.test.ts).
    // The read still served is the trade spec.md §8 states, not a promise: a stricter rule may
    // refuse it.
    await t.db
      .update(usersTable)
      .set({ status: 'suspended' })
      .where(eq(usersTable.username, user.username));
    expect((await feed(user)).statusCode).toBe(200);
    const refused = { token: ['is invalid'] };
    await expectRefused(
      t,
      { method: 'POST', url: '/api/v1/user/logout-all', headers: user.headers },
      401,
      'token_invalid',
      refused,
    );
    await expectRefused(
      t,
      { method: 'GET', url: '/api/v1/user', headers: user.headers },
      401,
      'token_invalid',
      refused,
    );
  });
});

describe('the HEAD route Fastify adds for every GET', () => {
  it("enforces its GET's permission", async () => {
    // A HEAD answer has no body: the status is all there is to check.
    expect((await t.app.inject({ method: 'HEAD', url: '/api/v1/user' })).statusCode).toBe(401);
    const user = await withRole('user');
    const head = { method: 'HEAD', url: '/test/articles:moderate', headers: user.headers } as const;
    expect((await t.app.inject(head)).statusCode).toBe(403);
  });
});

describe('a route without a permission, or with reads and writes at once', () => {
  it('can not be registered, in any scope: the app does not start', async () => {
    const database = await openTestDatabase();
    const app = await buildApp({ config: testConfig, database, tokenSecret: TEST_TOKEN_SECRET });
    try {
      expect(() => app.get('/undeclared', () => 'open')).toThrow(
        'route GET /undeclared must declare config.permission',
      );
      const nested = app.register(
        (scope) => Promise.resolve().then(() => scope.get('/undeclared', () => 'open')),
        { prefix: '/nested' },
      );
      await expect(nested).rejects.toThrow(
        'route GET /nested/undeclared must declare config.permission',
      );
    } finally {
      await app.close();
      await database.close();
    }
  });

  it("can not take both reads and writes: its HEAD copy would run on a read's standing", async () => {
    const database = await openTestDatabase();
    const app = await buildApp({ config: testConfig, database, tokenSecret: TEST_TOKEN_SECRET });
    try {
      expect(() =>
        app.route({
          method: ['GET', 'POST'],
          url: '/mixed',
          config: { permission: 'authenticated' },
          handler: () => 'both',
        }),
      ).toThrow('route GET, POST /mixed must not take both reads and writes');
    } finally {
      await app.close();
      await database.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The route table: every route of the built app, Keel's and its plugins', with its permission
// ---------------------------------------------------------------------------------------------

/** spec.md §8: the permission of every API route, as served under `/api/v1` and `/api`. */
const API_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'POST /users': 'public',
  'POST /users/login': 'public',
  'GET /user': 'authenticated',
  'PUT /user': 'authenticated',
  'POST /user/logout-all': 'authenticated',
  'GET /profiles/:username': 'public-personalized',
  'POST /profiles/:username/follow': 'authenticated',
  'DELETE /profiles/:username/follow': 'authenticated',
  'GET /articles': 'public-personalized',
  'POST /articles': 'authenticated',
  'GET /articles/feed': 'authenticated',
  'GET /articles/:slug': 'public-personalized',
  'PUT /articles/:slug': 'authenticated',
  'DELETE /articles/:slug': 'authenticated',
  'POST /articles/:slug/favorite': 'authenticated',
  'DELETE /articles/:slug/favorite': 'authenticated',
  'GET /articles/:slug/comments': 'public-personalized',
  'POST /articles/:slug/comments': 'authenticated',
  'DELETE /articles/:slug/comments/:id': 'authenticated',
  'GET /tags': 'public',
};

/** The routes outside `/api`, all public; the documentation's pages are whatever Swagger UI serves. */
const OTHER_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': 'public',
  'GET /openapi.json': 'public',
  'OPTIONS *': 'public',
  // Keel's own API: under /api/v1 only.
  'PUT /api/v1/admin/accounts/:username/role': 'roles:manage',
  'PUT /api/v1/admin/accounts/:username/status': 'accounts:suspend',
  'GET /api/v1/admin/audit-events': 'audit:read',
  'POST /api/v1/admin/articles/:slug/removal': 'articles:moderate',
  'POST /api/v1/admin/articles/:slug/comments/:id/removal': 'comments:moderate',
};

/** A node of the tree: its path segment and, if routes end there, their methods. */
const NODE =
  /^(?<indent>[│ ]*)(?<branch>[├└]── )?(?<segment>[^\s│├└•].*?)(?: \((?<methods>[A-Z, ]+)\))?$/;
const META = /^[│ ]*• \(permission\) "(?<permission>[^"]+)"$/;

/**
 * `METHOD path` → permission (`undefined` when the route declares none) of every route in
 * Fastify's own route table, whose tree this rebuilds into full paths.
 */
function routeTable(printed: string): Map<string, string | undefined> {
  const lines = printed.split('\n');
  const segments: string[] = [];
  const table = new Map<string, string | undefined>();
  lines.forEach((line, index) => {
    const node = NODE.exec(line)?.groups;
    if (node === undefined) return;
    const { indent = '', branch, segment = '', methods } = node;
    // A line without a branch continues the node above it, with its other methods.
    const depth = indent.length / 4 - (branch === undefined ? 1 : 0);
    segments.length = depth;
    segments.push(segment);
    const permission = META.exec(lines[index + 1] ?? '')?.groups?.permission;
    const path = segments.join('');
    for (const method of methods?.split(', ') ?? []) table.set(`${method} ${path}`, permission);
  });
  return table;
}

describe('the route table of the built app', () => {
  let table: Map<string, string | undefined>;
  beforeAll(async () => {
    const plain = await createTestApp();
    table = routeTable(plain.app.printRoutes({ commonPrefix: false, includeMeta: ['permission'] }));
    await plain.close();
  });

  it('lists every kind of route: /api/v1, /api, health, metrics, docs, openapi.json', () => {
    for (const route of [
      'POST /api/v1/users',
      'GET /api/tags',
      'GET /health/ready',
      'GET /metrics',
      'GET /docs',
      'GET /docs/json',
      'GET /openapi.json',
      'OPTIONS *',
    ]) {
      expect(table.has(route), route).toBe(true);
    }
  });

  it('has a permission on every route', () => {
    const undeclared = [...table].filter(([, permission]) => permission === undefined);
    expect(undeclared).toEqual([]);
  });

  it('has exactly the permissions of spec.md §8, HEAD as GET', () => {
    const wanted = new Map<string, string>();
    const add = (route: string, permission: Permission) => {
      wanted.set(route, permission);
      if (route.startsWith('GET ')) wanted.set(route.replace('GET', 'HEAD'), permission);
    };
    for (const [route, permission] of Object.entries(API_PERMISSIONS)) {
      for (const prefix of ['/api/v1', '/api']) add(route.replace(' ', ` ${prefix}`), permission);
    }
    for (const [route, permission] of Object.entries(OTHER_PERMISSIONS)) add(route, permission);
    for (const route of table.keys()) {
      if (/^(GET|HEAD) \/docs(\/|$)/.test(route)) add(route, 'public');
    }
    expect(Object.fromEntries(table)).toEqual(Object.fromEntries(wanted));
  });
});
