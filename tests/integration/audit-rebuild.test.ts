import { asc, eq, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_STATUSES } from '../../src/domain/identity/account-status.js';
import type { Administration } from '../../src/domain/identity/administration.js';
import { isDomainError } from '../../src/domain/shared/errors.js';
import { ROLES } from '../../src/domain/shared/roles.js';
import { rebuildStandings } from '../../src/infrastructure/db/audit/standing-projection.js';
import { createSystemAdministration } from '../../src/infrastructure/db/identity/system-administration.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { registerUser } from '../helpers/factories.js';

let t: TestApp;
let administration: Administration;
let usernames: string[];

/** Every account's role and status, as the live rows hold them. */
function standings() {
  return t.db
    .select({ id: usersTable.id, role: usersTable.role, status: usersTable.status })
    .from(usersTable)
    .orderBy(asc(usersTable.id));
}

beforeAll(async () => {
  t = await createTestApp();
  usernames = [];
  for (let n = 0; n < 5; n++) usernames.push((await registerUser(t.app)).username);
  administration = createSystemAdministration(t.db, []);
});
afterAll(() => t.close());

describe('role and status, projected from the audit stream', () => {
  it('rebuild corrects nothing after any sequence of grants, revocations, suspensions', async () => {
    const command = fc.record({
      account: fc.integer({ min: 0, max: 4 }),
      change: fc.oneof(
        fc.record({ role: fc.constantFrom(...ROLES) }),
        fc.record({ status: fc.constantFrom(...ACCOUNT_STATUSES) }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 12 }), async (commands) => {
        for (const { account, change } of commands) {
          const username = usernames[account] ?? '';
          const done =
            'role' in change
              ? administration.changeRole('system', username, { ...change, reason: 'test' })
              : administration.changeStatus('system', username, { ...change, reason: 'test' });
          // Refusals (the last admin) are part of the sequences; they change nothing.
          await done.catch((error: unknown) => {
            if (!isDomainError(error)) throw error;
          });
        }
        const live = await standings();
        expect(await rebuildStandings(t.db)).toEqual([]);
        expect(await standings()).toEqual(live);
      }),
      { numRuns: 20 },
    );
  });

  it('puts back what was changed behind the stream, and names the accounts it corrected', async () => {
    // Fresh accounts: the property left the others in any standing.
    const [first, second, third] = await Promise.all(
      [1, 2, 3].map(async () => (await registerUser(t.app)).username),
    );
    if (first === undefined || second === undefined || third === undefined) {
      throw new Error('three accounts expected');
    }
    await administration.changeRole('system', first, { role: 'admin', reason: 'r' });
    await administration.changeRole('system', second, { role: 'moderator', reason: 'r' });
    await administration.changeStatus('system', second, { status: 'suspended', reason: 'r' });
    await administration.changeRole('system', third, { role: 'user', reason: 'r' });
    await administration.changeStatus('system', third, { status: 'active', reason: 'r' });
    const live = await standings();
    // An attacker (or a bug) writing the rows directly.
    await t.db
      .update(usersTable)
      .set({ role: 'admin', status: 'active' })
      .where(inArray(usersTable.username, [second, third]));
    await t.db.update(usersTable).set({ role: 'user' }).where(eq(usersTable.username, first));
    const corrected = await rebuildStandings(t.db);
    expect(corrected.map((account) => account.username).sort()).toEqual(
      [first, second, third].sort(),
    );
    expect(await standings()).toEqual(live);
  });
});
