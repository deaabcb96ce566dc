import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import { connectPostgres, type DatabaseHandle } from '../../src/infrastructure/db/database.js';
import { TEST_APP_OPTIONS } from '../helpers/app.js';
import { createArticle, registerUser } from '../helpers/factories.js';
import { poolWarnings } from './postgres.js';

/**
 * Least privilege in the database: scripts/db-roles.sh makes an owner role that migrates and an
 * app role the servers use, which can change rows but never structure.
 */

const ROOT = join(import.meta.dirname, '../..');
const PASSWORDS = { KEEL_OWNER_PASSWORD: 'owner-secret-1', KEEL_APP_PASSWORD: 'app-secret-2' };
const adminUrl = process.env.TEST_DATABASE_URL;
const suffix = randomBytes(6).toString('hex');
const names = {
  database: `keel_roles_${suffix}`,
  owner: `keel_owner_${suffix}`,
  app: `keel_app_${suffix}`,
};

function urlFor(role: string): string {
  const url = new URL(adminUrl ?? '');
  url.username = role;
  url.pathname = `/${names.database}`;
  return url.toString();
}

function pool(role: string): DatabaseHandle {
  return connectPostgres(
    { url: urlFor(role), poolSize: 4, statementTimeoutMs: 5_000, connectionTimeoutMs: 5_000 },
    poolWarnings,
  );
}

async function asApp(statement: string): Promise<string> {
  const client = new pg.Client({ connectionString: urlFor(names.app) });
  await client.connect();
  try {
    // The outcome is the answer under test: the SQLSTATE of a refusal, or 'allowed'.
    return await client.query(statement).then(
      () => 'allowed',
      (error: unknown) => (error as { code?: string }).code ?? 'failed',
    );
  } finally {
    await client.end();
  }
}

describe.runIf(adminUrl !== undefined)('database roles', { timeout: 60_000 }, () => {
  let app: DatabaseHandle;

  beforeAll(async () => {
    await promisify(execFile)(
      'bash',
      [join(ROOT, 'scripts/db-roles.sh'), adminUrl ?? '', names.database, names.owner, names.app],
      { env: { ...process.env, ...PASSWORDS } },
    );
    const owner = pool(names.owner);
    await owner.migrate();
    await owner.close();
    app = pool(names.app);
  });

  afterAll(async () => {
    await app.close();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${names.database} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${names.app}`);
    await admin.query(`DROP ROLE IF EXISTS ${names.owner}`);
    await admin.end();
  });

  it('lets the app role serve the API and report ready', async () => {
    const server = await buildApp({
      ...TEST_APP_OPTIONS,
      database: app,
    });
    try {
      const author = await registerUser(server);
      const article = await createArticle(server, author, { tagList: ['roles'] });
      const deleted = await server.inject({
        method: 'DELETE',
        url: `/api/v1/articles/${article.slug}`,
        headers: author.headers,
      });
      expect(deleted.statusCode).toBe(204);
      expect((await server.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("gives each role a password, which psql read from the script's environment", async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ rolname: string; rolpassword: string | null }>(
        'SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY($1) ORDER BY rolname',
        [[names.owner, names.app]],
      );
      // Stored as a SCRAM verifier: set, and not the password's own text.
      expect(rows.map((row) => row.rolname)).toEqual([names.app, names.owner]);
      for (const row of rows) expect(row.rolpassword).toMatch(/^SCRAM-SHA-256\$/);
    } finally {
      await admin.end();
    }
  });

  it.each([
    ['create a table', 'CREATE TABLE intruder (id int)', '42501'],
    ['drop a table', 'DROP TABLE articles', '42501'],
    ['alter a table', 'ALTER TABLE users ADD COLUMN is_admin boolean', '42501'],
    ['create a schema', 'CREATE SCHEMA intruder', '42501'],
    ['rewrite the migration journal', 'DELETE FROM drizzle.__drizzle_migrations', '42501'],
  ])('refuses the app role to %s', async (_what, statement, code) => {
    expect(await asApp(statement)).toBe(code);
  });
});

describe('scripts/db-roles.sh', () => {
  it('never puts a password on a command line, where any local user could read it', async () => {
    // A psql first on PATH that records its arguments (what `ps` shows) and its input.
    const dir = await mkdtemp(join(tmpdir(), 'keel-psql-'));
    try {
      const psql = join(dir, 'psql');
      await writeFile(
        psql,
        `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> "${dir}/argv"\ncat >> "${dir}/stdin"\n`,
      );
      await chmod(psql, 0o755);
      await promisify(execFile)(
        'bash',
        [join(ROOT, 'scripts/db-roles.sh'), 'postgres://admin@db.invalid/postgres', 'keel'],
        { env: { ...process.env, ...PASSWORDS, PATH: `${dir}:${process.env.PATH ?? ''}` } },
      );
      const argv = await readFile(join(dir, 'argv'), 'utf8');
      expect(argv.trim().split('\n')).toHaveLength(2);
      for (const password of Object.values(PASSWORDS)) expect(argv).not.toContain(password);
      // The script reads them from the environment instead.
      expect(await readFile(join(dir, 'stdin'), 'utf8')).toContain(
        '\\getenv owner_password KEEL_OWNER_PASSWORD',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
