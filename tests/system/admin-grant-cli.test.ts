import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import { openEmbedded } from '../../src/infrastructure/db/database.js';
import { auditEventsTable } from '../../src/infrastructure/db/schema/audit.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { TEST_ENVIRONMENT, TEST_TOKEN_SECRET, testConfig } from '../helpers/app.js';
import { registerUser } from '../helpers/factories.js';
import { outboxEvents } from '../helpers/outbox.js';

/** `npm run admin:grant` as an operator runs it: its own process, on the embedded database. */

const ROOT = join(import.meta.dirname, '../..');
let dataDir: string;
let username: string;

function grant(...args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    join(ROOT, 'node_modules/.bin/tsx'),
    ['src/infrastructure/db/identity/admin-grant-cli.ts', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...TEST_ENVIRONMENT, DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      resolve({ code, output });
    });
  });
}

/** Opens the data directory the CLI used (one process at a time may hold it). */
async function inspect<T>(
  read: (db: Awaited<ReturnType<typeof openEmbedded>>['db']) => Promise<T>,
) {
  const handle = await openEmbedded(join(dataDir, 'pglite'));
  try {
    return await read(handle.db);
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keel-admin-grant-'));
  const database = await openEmbedded(join(dataDir, 'pglite'));
  await database.migrate();
  const app = await buildApp({
    config: testConfig,
    database,
    tokenSecret: TEST_TOKEN_SECRET,
    passwordCost: { memoryCost: 1024, timeCost: 1 },
  });
  username = (await registerUser(app)).username;
  await app.close();
  await database.close();
}, 120_000);
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('npm run admin:grant', { timeout: 120_000 }, () => {
  it('makes the account an admin, recorded as a system action with its reason', async () => {
    const { code, output } = await grant('--username', username, '--reason', 'first admin');
    expect(code, output).toBe(0);
    expect(output).toContain(`${username} is an admin (status: active)`);
    const [account, entries, events] = await inspect((db) =>
      Promise.all([
        db
          .select({ role: usersTable.role, tokenVersion: usersTable.tokenVersion })
          .from(usersTable)
          .where(eq(usersTable.username, username)),
        db.select().from(auditEventsTable),
        outboxEvents(db),
      ]),
    );
    expect(account).toEqual([{ role: 'admin', tokenVersion: 1 }]);
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'account.role_granted',
        actor: 'system',
        role: 'admin',
        reason: 'first admin',
        requestId: null,
      }),
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'user.role_granted', payload: { role: 'admin' } });
  });

  it('exits 1 for an unknown username, 2 without one, granting nothing', async () => {
    const unknown = await grant('--username', 'nobody_here');
    expect(unknown.code, unknown.output).toBe(1);
    expect(unknown.output).toContain('no admin granted: profile not found');
    const missing = await grant();
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('usage: npm run admin:grant -- --username NAME');
    const entries = await inspect((db) => db.select().from(auditEventsTable));
    expect(entries).toHaveLength(1);
  });
});
