import { rm } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/infrastructure/db/database.js';
import { auditEventsTable } from '../../src/infrastructure/db/schema/audit.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { inspectEmbedded, runCli, seededDataDir } from '../helpers/cli.js';
import { registerUser } from '../helpers/factories.js';
import { outboxEvents } from '../helpers/outbox.js';

/** `npm run admin:grant` as an operator runs it: its own process, on the embedded database. */

let dataDir: string;
let username: string;

const grant = (...args: string[]) =>
  runCli('src/infrastructure/db/identity/admin-grant-cli.ts', dataDir, args);
const inspect = <T>(read: (db: Database) => Promise<T>): Promise<T> =>
  inspectEmbedded(dataDir, read);

beforeAll(async () => {
  ({ dataDir, seeded: username } = await seededDataDir('keel-admin-grant-', async (app) => {
    return (await registerUser(app)).username;
  }));
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

  it('refuses, granting nothing, while another process holds the embedded database', async () => {
    const entries = () => inspect((db) => db.select().from(auditEventsTable));
    const before = await entries();
    // This process holds it, as a running server would: the grant would be written over.
    const { code, output } = await inspect(() =>
      grant('--username', username, '--reason', 'while the server runs'),
    );
    expect(code, output).toBe(1);
    expect(output).toContain(`is in use by process ${String(process.pid)}`);
    expect(await entries()).toEqual(before);
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
