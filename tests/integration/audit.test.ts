import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChainHeadTable, auditEventsTable } from '../../src/infrastructure/db/schema/audit.js';
import { chainHash } from '../../src/infrastructure/db/audit/chain.js';
import { verifyAuditChain, type ChainVerdict } from '../../src/infrastructure/db/audit/verify.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { registerUser } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  const alice = await registerUser(t.app);
  for (const password of ['wrong password', 'still wrong']) {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/users/login',
      payload: { user: { email: alice.email, password } },
    });
  }
  await t.app.inject({
    method: 'PUT',
    url: '/api/v1/user',
    headers: { ...alice.headers, 'x-request-id': 'change-password-1' },
    payload: { user: { password: 'a brand new password' } },
  });
  await t.app.inject({
    method: 'POST',
    url: '/api/v1/users/login',
    payload: { user: { email: 'nobody@example.com', password: 'whatever it is' } },
  });
});
afterAll(() => t.close());

const entries = () => t.db.select().from(auditEventsTable).orderBy(asc(auditEventsTable.sequence));

// sql: the owner (the tests' PGlite superuser) switching the append-only trigger off, as an
// attacker with the owner's rights could.
const unguarded = sql`alter table audit_events disable trigger audit_events_append_only`;
const guarded = sql`alter table audit_events enable trigger audit_events_append_only`;

/** Deletes the entry at `sequence` behind the append-only trigger: a test's forgery undone. */
async function removeEntry(sequence: number): Promise<void> {
  await t.db.execute(unguarded);
  try {
    await t.db.delete(auditEventsTable).where(eq(auditEventsTable.sequence, sequence));
  } finally {
    await t.db.execute(guarded);
  }
}

/** The check reads the chain as `broken` until `restore` undoes the forgery, then intact again. */
async function expectBrokenUntil(
  broken: ChainVerdict,
  restore: () => Promise<unknown>,
): Promise<void> {
  try {
    expect(await verifyAuditChain(t.db)).toEqual(broken);
  } finally {
    await restore();
  }
  expect(await verifyAuditChain(t.db)).toEqual({ intact: true, entries: 4 });
}

/** What the database answers a change or a removal of an entry (Drizzle wraps it as the cause). */
const appendOnly = { cause: { message: 'audit_events is append-only' } };

describe('the audit stream', () => {
  it('records failed logins and a password change, with actor, subject and request id', async () => {
    const rows = await entries();
    expect(rows.map(({ action, actor, requestId }) => ({ action, actor, requestId }))).toEqual([
      { action: 'account.login_failed', actor: 'anonymous', requestId: expect.any(String) },
      { action: 'account.login_failed', actor: 'anonymous', requestId: expect.any(String) },
      {
        action: 'account.password_changed',
        actor: `user:${String(rows[0]?.subjectId)}`,
        requestId: 'change-password-1',
      },
      { action: 'account.login_failed', actor: 'anonymous', requestId: expect.any(String) },
    ]);
    // A failed login names the account it was tried on; an unknown email names none.
    expect(rows.map((row) => row.subjectId)).toEqual([
      rows[0]?.subjectId,
      rows[0]?.subjectId,
      rows[0]?.subjectId,
      null,
    ]);
    // Never a secret: no password tried, no email.
    const stored = JSON.stringify(rows);
    expect(stored).not.toMatch(/wrong|brand new|@example\.com/);
  });

  it('chains every entry to the one before: numbered 1, 2, 3… and verified intact', async () => {
    const rows = await entries();
    expect(rows.map((row) => row.sequence)).toEqual([1, 2, 3, 4]);
    expect(rows[0]?.previousHash).toBe('0'.repeat(64));
    for (let n = 1; n < rows.length; n++) {
      expect(rows[n]?.previousHash).toBe(rows[n - 1]?.hash);
    }
    expect(await verifyAuditChain(t.db)).toEqual({ intact: true, entries: 4 });
  });

  it('refuses to change or remove an entry, whatever the grants', async () => {
    await expect(
      t.db
        .update(auditEventsTable)
        .set({ reason: 'rewritten' })
        .where(eq(auditEventsTable.sequence, 1)),
    ).rejects.toMatchObject(appendOnly);
    await expect(
      t.db.delete(auditEventsTable).where(eq(auditEventsTable.sequence, 1)),
    ).rejects.toMatchObject(appendOnly);
    expect(await verifyAuditChain(t.db)).toEqual({ intact: true, entries: 4 });
  });

  it('names the first entry whose content was changed behind the trigger', async () => {
    await t.db.execute(unguarded);
    try {
      await t.db
        .update(auditEventsTable)
        .set({ subjectId: 999 })
        .where(eq(auditEventsTable.sequence, 2));
      expect(await verifyAuditChain(t.db)).toEqual({
        intact: false,
        entries: 1,
        sequence: 2,
        problem: 'content does not match its hash',
      });
    } finally {
      const [original] = await entries();
      await t.db
        .update(auditEventsTable)
        .set({ subjectId: original?.subjectId ?? null })
        .where(eq(auditEventsTable.sequence, 2));
      await t.db.execute(guarded);
    }
    expect(await verifyAuditChain(t.db)).toEqual({ intact: true, entries: 4 });
  });

  it.each([0, -1])(
    'names an entry slipped in before the first, at sequence %i, where the walk used to start',
    async (sequence) => {
      const [first] = await entries();
      if (first === undefined) throw new Error('no entries');
      // An INSERT, which the trigger allows (only appends go through the chain's head).
      await t.db.insert(auditEventsTable).values({ ...first, sequence, reason: 'forged' });
      await expectBrokenUntil(
        { intact: false, entries: 0, sequence, problem: 'out of place: sequences start at 1' },
        () => removeEntry(sequence),
      );
    },
  );

  it('names an entry added past the head without moving it, chained as an append would be', async () => {
    const rows = await entries();
    const last = rows.at(-1);
    if (last === undefined) throw new Error('no entries');
    const fields = { ...last, sequence: last.sequence + 1, reason: 'slipped in' };
    await t.db
      .insert(auditEventsTable)
      .values({ ...fields, previousHash: last.hash, hash: chainHash(last.hash, fields) });
    await expectBrokenUntil(
      {
        intact: false,
        entries: 4,
        sequence: 5,
        problem: 'the head names entry 4: the entries after it were added without it',
      },
      () => removeEntry(5),
    );
  });

  it('names a head that does not hold the hash of the last entry', async () => {
    const [head] = await t.db.select().from(auditChainHeadTable);
    await t.db.update(auditChainHeadTable).set({ hash: 'f'.repeat(64) });
    await expectBrokenUntil(
      {
        intact: false,
        entries: 4,
        sequence: 4,
        problem: 'the head does not hold the hash of entry 4',
      },
      () => t.db.update(auditChainHeadTable).set({ hash: head?.hash ?? '' }),
    );
  });

  it('names a removed entry, and entries removed from the end', async () => {
    const rows = await entries();
    await t.db.execute(unguarded);
    try {
      await t.db.delete(auditEventsTable).where(eq(auditEventsTable.sequence, 3));
      expect(await verifyAuditChain(t.db)).toMatchObject({
        intact: false,
        sequence: 3,
        problem: 'missing; next is 4',
      });
      await t.db.delete(auditEventsTable).where(eq(auditEventsTable.sequence, 4));
      expect(await verifyAuditChain(t.db)).toMatchObject({
        intact: false,
        entries: 2,
        sequence: 3,
        problem: 'the head names entry 4: entries were removed from the end',
      });
    } finally {
      await t.db.insert(auditEventsTable).values(rows.slice(2));
      await t.db.execute(guarded);
    }
    expect(await verifyAuditChain(t.db)).toEqual({ intact: true, entries: 4 });
    const [head] = await t.db.select().from(auditChainHeadTable);
    expect(head).toMatchObject({ sequence: 4, hash: rows[3]?.hash });
  });
});
