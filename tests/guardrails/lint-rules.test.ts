import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every Keel-specific lint rule is proven here: a small fixture that breaks it must fail with
 * a message saying what to do instead, and a fixture that follows it must pass. The fixtures
 * are written into src/ for the duration of the run (the rules depend on where a file lives)
 * and removed afterwards; `npm run lint` proves the real tree passes.
 */

const ROOT = join(import.meta.dirname, '../..');
const TAG = randomBytes(4).toString('hex');

interface Fixture {
  readonly name: string;
  /** Path under src/; the file name gets a unique suffix. */
  readonly dir: string;
  readonly code: string;
  /** The rule expected to fire and a fragment of its message; undefined = must be clean. */
  readonly expected?: { readonly rule: string; readonly message: RegExp };
}

const fixtures: readonly Fixture[] = [
  {
    name: 'explicit any',
    dir: 'domain/shared',
    code: 'export const value: any = 1;\n',
    expected: { rule: '@typescript-eslint/no-explicit-any', message: /Specify a different type/ },
  },
  {
    name: 'any leaking from JSON.parse',
    dir: 'core',
    code: 'export function count(input: string): number {\n  const parsed = JSON.parse(input);\n  return parsed.count;\n}\n',
    expected: {
      rule: '@typescript-eslint/no-unsafe-assignment',
      message: /Unsafe assignment of an `any` value/,
    },
  },
  {
    name: '@ts-ignore',
    dir: 'core',
    code: '// @ts-ignore\nexport const value: number = 1;\n',
    expected: { rule: '@typescript-eslint/ban-ts-comment', message: /@ts-ignore/ },
  },
  {
    name: '@ts-expect-error without a reason',
    dir: 'core',
    code: '// @ts-expect-error\nexport const value: number = "x";\n',
    expected: { rule: '@typescript-eslint/ban-ts-comment', message: /description/ },
  },
  {
    name: 'star import',
    dir: 'core',
    code: "import * as path from 'node:path';\nexport const sep: string = path.sep;\n",
    expected: {
      rule: 'no-restricted-syntax',
      message: /No star imports: import the names you use/,
    },
  },
  {
    name: 'default export',
    dir: 'core',
    code: 'export default function answer(): number {\n  return 42;\n}\n',
    expected: { rule: 'no-restricted-syntax', message: /No default exports: export named/ },
  },
  {
    name: 'commented-out code',
    dir: 'core',
    code: 'export const total = 1;\n// const total = computeTotal(items, discount);\n',
    expected: { rule: 'sonarjs/no-commented-code', message: /commented out code/i },
  },
  {
    name: 'sql.raw',
    dir: 'infrastructure/db',
    code: "import { sql } from 'drizzle-orm';\n// sql: a fixture\nexport const query = sql.raw('select 1');\n",
    expected: {
      rule: 'no-restricted-syntax',
      message: /No sql\.raw: build the query with Drizzle/,
    },
  },
  {
    name: 'SQL in a string',
    dir: 'infrastructure/db',
    code: "export const query = 'SELECT id FROM users WHERE id = 1';\n",
    expected: {
      rule: 'no-restricted-syntax',
      message: /No SQL strings: build the query with Drizzle/,
    },
  },
  {
    name: 'SQL built in a template string',
    dir: 'infrastructure/db',
    code: 'export function query(id: number): string {\n  return `DELETE FROM users WHERE id = ${String(id)}`;\n}\n',
    expected: { rule: 'no-restricted-syntax', message: /No string-built SQL/ },
  },
  {
    name: 'sql template outside the database layer',
    dir: 'core',
    code: "import { sql } from 'drizzle-orm';\nexport const now = sql`now()`;\n",
    expected: { rule: 'no-restricted-imports', message: /belongs in src\/infrastructure\/db only/ },
  },
  {
    name: 'sql template without a reason',
    dir: 'infrastructure/db',
    code: "import { sql } from 'drizzle-orm';\nexport const now = sql`now()`;\n",
    expected: { rule: 'keel/sql-needs-reason', message: /`\/\/ sql: <reason>` comment/ },
  },
  {
    name: 'sql template with a reason',
    dir: 'infrastructure/db',
    code: "import { sql } from 'drizzle-orm';\n// sql: the database clock\nexport const now = sql`now()`;\n",
  },
  {
    name: "a transaction opened with Drizzle's own method",
    dir: 'infrastructure/db',
    code: "import type { Database } from './database.js';\nexport function run(database: Database): Promise<void> {\n  return database.transaction(async () => undefined);\n}\n",
    expected: { rule: 'no-restricted-syntax', message: /Open a transaction with transaction\(\)/ },
  },
  {
    name: 'environment read outside config',
    dir: 'core',
    code: 'export const port: string | undefined = process.env.PORT;\n',
    expected: {
      rule: 'no-restricted-properties',
      message: /Configuration comes from src\/core\/config\.ts/,
    },
  },
  {
    name: 'swallowed catch',
    dir: 'core',
    code: 'export function attempt(work: () => void): void {\n  try {\n    work();\n  } catch {\n    return;\n  }\n}\n',
    expected: { rule: 'keel/no-swallowed-catch', message: /Rethrow .* or log it/ },
  },
  {
    name: 'swallowed promise catch',
    dir: 'core',
    code: 'export async function attempt(work: () => Promise<void>): Promise<void> {\n  await work().catch(() => undefined);\n}\n',
    expected: { rule: 'keel/no-swallowed-catch', message: /neither rethrows nor logs/ },
  },
  {
    name: 'catch that rethrows',
    dir: 'core',
    code: "export function attempt(work: () => void): void {\n  try {\n    work();\n  } catch (error) {\n    throw new Error('work failed', { cause: error });\n  }\n}\n",
  },
  {
    name: 'catch that logs',
    dir: 'core',
    code: "interface Log {\n  error(message: string): void;\n}\nexport function attempt(work: () => void, log: Log): void {\n  try {\n    work();\n  } catch {\n    log.error('work failed');\n  }\n}\n",
  },
  {
    name: 'catch that logs through a function named for it',
    dir: 'core',
    code: 'declare function logFatal(error: unknown): void;\nexport function attempt(work: () => void): void {\n  try {\n    work();\n  } catch (error) {\n    logFatal(error);\n  }\n}\n',
  },
  {
    name: 'catch that calls a function merely starting with log',
    dir: 'core',
    code: 'declare function logOut(): void;\nexport function attempt(work: () => void): void {\n  try {\n    work();\n  } catch {\n    logOut();\n  }\n}\n',
    expected: { rule: 'keel/no-swallowed-catch', message: /neither rethrows nor logs/ },
  },
  {
    name: 'domain importing infrastructure',
    dir: 'domain/articles',
    code: "import type { Database } from '../../infrastructure/db/database.js';\nexport type Handle = Database;\n",
    expected: {
      rule: 'boundaries/dependencies',
      message: /Layer rule .* a domain context imports only itself and domain\/shared/,
    },
  },
  {
    name: 'domain importing another context',
    dir: 'domain/comments',
    code: "import type { ArticleView } from '../articles/article.js';\nexport type View = ArticleView;\n",
    expected: {
      rule: 'boundaries/dependencies',
      message: /move the shared concept to domain\/shared/,
    },
  },
  {
    name: 'domain importing a framework',
    dir: 'domain/articles',
    code: "import type { FastifyRequest } from 'fastify';\nexport type Request = FastifyRequest;\n",
    expected: {
      rule: 'no-restricted-imports',
      message: /The domain is framework-free: declare a port/,
    },
  },
  {
    name: 'route importing infrastructure',
    dir: 'api/v1',
    code: "import type { Database } from '../../infrastructure/db/database.js';\nexport type Handle = Database;\n",
    expected: {
      rule: 'boundaries/dependencies',
      message: /a route handler calls the domain; it may not import infrastructure/,
    },
  },
  {
    name: 'core importing a route',
    dir: 'core',
    code: "import { userRoutes } from '../api/v1/users.js';\nexport const routes: unknown = userRoutes;\n",
    expected: {
      rule: 'boundaries/dependencies',
      message: /only the composition root \(core\/app\.ts\) wires them/,
    },
  },
  {
    name: 'core importing the composition root',
    dir: 'core',
    code: "import { buildApp } from './app.js';\nexport const build: unknown = buildApp;\n",
    expected: {
      rule: 'boundaries/dependencies',
      message: /nothing imports the composition root \(core\/app\.ts\)/,
    },
  },
  {
    name: 'domain importing its own context and the shared kernel',
    dir: 'domain/articles',
    code: "import type { ArticleView } from './article.js';\nimport type { Slug } from '../shared/slug.js';\nexport type Pair = [ArticleView, Slug];\n",
  },
  {
    name: 'exported function without types',
    dir: 'core',
    code: 'export function double(value: number) {\n  return value * 2;\n}\n',
    expected: {
      rule: '@typescript-eslint/explicit-module-boundary-types',
      message: /Missing return type/,
    },
  },
  {
    name: 'untyped bag between layers',
    dir: 'core',
    code: 'export function keys(bag: Record<string, unknown>): string[] {\n  return Object.keys(bag);\n}\n',
    expected: {
      rule: '@typescript-eslint/no-restricted-types',
      message: /declare an interface naming the fields/,
    },
  },
  {
    name: 'brand made by a cast',
    dir: 'api/v1',
    code: "import type { Slug } from '../../domain/shared/slug.js';\nexport const slug = 'hello' as Slug;\n",
    expected: { rule: 'no-restricted-syntax', message: /made by the domain's parse functions/ },
  },
];

const files = new Map<Fixture, string>();
let results = new Map<string, Linter.LintMessage[]>();

beforeAll(async () => {
  fixtures.forEach((fixture, index) => {
    files.set(
      fixture,
      join(ROOT, 'src', fixture.dir, `guardrail-fixture-${TAG}-${String(index)}.ts`),
    );
  });
  await Promise.all(
    [...files].map(async ([fixture, file]) => {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, fixture.code);
    }),
  );
  const eslint = new ESLint({ cwd: ROOT });
  const linted = await eslint.lintFiles([...files.values()]);
  results = new Map(linted.map((result) => [result.filePath, result.messages]));
}, 120_000);

afterAll(async () => {
  await Promise.all([...files.values()].map((file) => rm(file, { force: true })));
});

describe('lint guardrails', () => {
  for (const fixture of fixtures) {
    const { expected } = fixture;
    if (expected === undefined) {
      it(`accepts ${fixture.name}`, () => {
        const messages = results.get(files.get(fixture) ?? '') ?? [];
        expect(messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`)).toEqual([]);
      });
    } else {
      it(`rejects ${fixture.name} and says what to do instead`, () => {
        const messages = results.get(files.get(fixture) ?? '') ?? [];
        const fired = messages.filter((m) => m.ruleId === expected.rule);
        expect(
          fired.map((m) => m.message),
          JSON.stringify(messages.map((m) => m.message)),
        ).toEqual(expect.arrayContaining([expect.stringMatching(expected.message)]));
      });
    }
  }
});
