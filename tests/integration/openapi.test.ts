import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createArticle, registerUser } from '../helpers/factories.js';

const SPEC_PATH = new URL('../../../shared/realworld/openapi.yml', import.meta.url);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Statuses the spec lists that Keel can never return, each with its reason. */
const NOT_APPLICABLE: Readonly<Record<string, readonly string[]>> = {
  // Slugs that are taken get a random suffix, so creating an article never conflicts.
  'post /articles': ['409'],
};

interface Operation {
  readonly description?: string;
  readonly security?: readonly Record<string, readonly string[]>[];
  readonly responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
}
interface Document {
  readonly openapi: string;
  readonly paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  readonly components: { readonly schemas: Record<string, Record<string, unknown>> };
}
interface SpecOperation {
  readonly key: string;
  readonly method: (typeof METHODS)[number];
  readonly path: string;
  readonly operation: Operation;
}

let t: TestApp;
let doc: Document;
let spec: SpecOperation[];
beforeAll(async () => {
  t = await createTestApp();
  const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  doc = response.json();
  const specDoc = parse(await readFile(SPEC_PATH, 'utf8')) as Document;
  spec = Object.entries(specDoc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation === undefined ? [] : [{ key: `${method} ${path}`, method, path, operation }];
    }),
  );
});
afterAll(() => t.close());

/** Keel's operation for a spec operation: the spec's paths are relative to `/api`. */
function keelOperation({ method, path }: SpecOperation): Operation | undefined {
  return doc.paths[`/api/v1${path}`]?.[method];
}

function keelOperations(): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation === undefined
        ? []
        : [[`${method} ${path}`, operation] as [string, Operation]];
    }),
  );
}

function requiresToken(operation: Operation): boolean {
  const alternatives = operation.security ?? [];
  return alternatives.length > 0 && alternatives.every((r) => Object.keys(r).length > 0);
}

describe('GET /openapi.json', () => {
  it('returns an OpenAPI 3.1 document', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
  });

  it('documents every operation of the RealWorld spec under /api/v1', () => {
    expect(spec.length).toBe(19);
    const missing = spec.filter((op) => keelOperation(op) === undefined).map((op) => op.key);
    expect(missing).toEqual([]);
  });

  it("documents each operation's success status as the spec does", () => {
    const mismatches = spec.flatMap((op) => {
      const wanted = Object.keys(op.operation.responses).filter((s) => s.startsWith('2'));
      const documented = Object.keys(keelOperation(op)?.responses ?? {});
      return wanted.filter((s) => !documented.includes(s)).map((s) => `${op.key} ${s}`);
    });
    expect(mismatches).toEqual([]);
  });

  it("documents the spec's specific error statuses (all but its catch-all 422)", () => {
    const missing = spec.flatMap((op) => {
      const wanted = Object.entries(op.operation.responses)
        .filter(
          ([status, response]) =>
            /^[45]/.test(status) && !(response.$ref ?? '').endsWith('/GenericError'),
        )
        .map(([status]) => status)
        .filter((status) => !(NOT_APPLICABLE[op.key] ?? []).includes(status));
      const documented = Object.keys(keelOperation(op)?.responses ?? {});
      return wanted.filter((s) => !documented.includes(s)).map((s) => `${op.key} ${s}`);
    });
    expect(missing).toEqual([]);
  });

  it('documents every error status of the API with the shared error body', () => {
    const errorRefs = new Set<string>();
    // The health probes answer 503 with their own readiness report, by design.
    const api = keelOperations().filter(([key]) => key.includes(' /api/'));
    for (const [key, operation] of api) {
      const errors = Object.entries(operation.responses).filter(([s]) => /^[45]/.test(s));
      for (const [status, response] of errors) {
        const schema = (response.content?.['application/json'] as { schema?: { $ref?: string } })
          .schema;
        expect(schema?.$ref, `${key} ${status}`).toMatch(/^#\/components\/schemas\//);
        errorRefs.add(schema?.$ref ?? '');
      }
    }
    expect([...errorRefs]).toEqual(['#/components/schemas/ErrorResponse']);
    expect(doc.components.schemas.ErrorResponse).toMatchObject({
      type: 'object',
      required: ['errors', 'error'],
      properties: {
        error: { required: ['code', 'message'], properties: { code: { type: 'string' } } },
      },
    });
  });

  it('documents 400, 413, 415 and 422 on every operation that takes a JSON body', () => {
    const bodied = spec.filter((op) => 'requestBody' in op.operation);
    expect(bodied.length).toBeGreaterThan(0);
    for (const op of bodied) {
      expect(Object.keys(keelOperation(op)?.responses ?? {}), op.key).toEqual(
        expect.arrayContaining(['400', '413', '415', '422']),
      );
    }
  });

  it('documents 413 and 415 on every write, which reads a body even where it ignores it', async () => {
    // Fastify reads the body of every POST, PUT and DELETE: a bodiless write given one too large
    // or not JSON answers 413 or 415 before its handler runs.
    const author = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    const notJson = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/articles/${slug}`,
      headers: { ...author.headers, 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(notJson.statusCode).toBe(415);
    const writes = keelOperations().filter(
      ([key]) => /^(?:post|put|delete) /.test(key) && key.includes(' /api/'),
    );
    expect(writes.length).toBeGreaterThan(0);
    const undocumented = writes
      .filter(([, operation]) => !('413' in operation.responses && '415' in operation.responses))
      .map(([key]) => key);
    expect(undocumented).toEqual([]);
  });

  it('documents the statuses any API route can meet: 400, 414, 500 and 503', () => {
    const api = keelOperations().filter(([key]) => key.includes(' /api/'));
    expect(api.length).toBeGreaterThan(0);
    for (const [key, operation] of api) {
      expect(Object.keys(operation.responses), key).toEqual(
        expect.arrayContaining(['400', '414', '500', '503']),
      );
    }
  });

  it('declares Token security on every route that needs a token', () => {
    const secured = spec.filter((op) => op.operation.security !== undefined);
    expect(secured.length).toBe(12);
    for (const op of secured) {
      expect(keelOperation(op)?.security, op.key).toEqual([{ Token: [] }]);
      expect(keelOperation(op)?.responses, op.key).toHaveProperty('401');
    }
    expect(doc.components).toMatchObject({
      securitySchemes: { Token: { type: 'apiKey', in: 'header', name: 'Authorization' } },
    });
  });

  it('documents the 401 and 403 a keyed registration replays as a login can answer', () => {
    // A replay logs in with the request's credentials (idempotency.test.ts): 401 once the
    // password or email changed, 403 once the account is suspended.
    const register = doc.paths['/api/v1/users']?.post;
    expect(Object.keys(register?.responses ?? {})).toEqual(expect.arrayContaining(['401', '403']));
  });

  it('does not require a token on routes the spec leaves open to anonymous callers', () => {
    const open = spec.filter((op) => op.operation.security === undefined);
    const wronglySecured = open.filter((op) => {
      const operation = keelOperation(op);
      return operation !== undefined && requiresToken(operation);
    });
    expect(wronglySecured.map((op) => op.key)).toEqual([]);
  });

  it("states each operation's permission, and needs a token exactly where it does", () => {
    for (const [key, operation] of keelOperations()) {
      const permission = /Permission: `([^`]+)`/.exec(operation.description ?? '')?.[1] ?? '';
      expect(permission, key).not.toBe('');
      expect(requiresToken(operation), key).toBe(!permission.startsWith('public'));
    }
  });

  it('documents log out everywhere: a token, 204, 401 and 429', () => {
    const operation = doc.paths['/api/v1/user/logout-all']?.post;
    expect(operation?.security).toEqual([{ Token: [] }]);
    expect(Object.keys(operation?.responses ?? {})).toEqual(
      expect.arrayContaining(['204', '401', '429']),
    );
  });

  it('documents the administration API: each route, its capability, a token, its errors', () => {
    const admin = {
      '/api/v1/admin/accounts/{username}/role': ['put', 'roles:manage', ['200', '409', '422']],
      '/api/v1/admin/accounts/{username}/status': ['put', 'accounts:suspend', ['200', '409']],
      '/api/v1/admin/audit-events': ['get', 'audit:read', ['200', '422']],
      '/api/v1/admin/articles/{slug}/removal': ['post', 'articles:moderate', ['204', '404']],
      '/api/v1/admin/articles/{slug}/comments/{id}/removal': [
        'post',
        'comments:moderate',
        ['204', '404'],
      ],
    } as const;
    for (const [path, [method, permission, statuses]] of Object.entries(admin)) {
      const operation = doc.paths[path]?.[method];
      expect(operation?.description, path).toContain(`Permission: \`${permission}\``);
      expect(operation?.security, path).toEqual([{ Token: [] }]);
      expect(Object.keys(operation?.responses ?? {}), path).toEqual(
        expect.arrayContaining([...statuses, '401', '403']),
      );
    }
  });

  it('lists only the canonical /api/v1 paths, not the legacy /api duplicates', () => {
    const paths = Object.keys(doc.paths);
    expect(paths.filter((p) => p.startsWith('/api/') && !p.startsWith('/api/v1/'))).toEqual([]);
    expect(paths).toContain('/api/v1/tags');
  });
});

describe('GET /docs', () => {
  it('serves the interactive documentation as HTML', async () => {
    let response = await t.app.inject({ method: 'GET', url: '/docs' });
    if (response.statusCode >= 300 && response.statusCode < 400) {
      const location = String(response.headers.location);
      response = await t.app.inject({
        method: 'GET',
        url: new URL(location, 'http://x/docs').pathname,
      });
    }
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(/swagger-ui/i);
  });
});
