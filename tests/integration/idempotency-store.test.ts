import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/infrastructure/db/database.js';
import { createIdempotencyStore } from '../../src/infrastructure/db/idempotency-store.js';
import { idempotencyKeysTable } from '../../src/infrastructure/db/schema/idempotency.js';
import { executorFor } from '../../src/infrastructure/db/unit-of-work.js';
import { openTestDatabase } from '../helpers/app.js';

const WAIT_MS = 1_500;
let handle: DatabaseHandle;
/** The statements Drizzle sent, in order. */
const statements: string[] = [];
beforeAll(async () => {
  handle = await openTestDatabase({ logQuery: (query) => statements.push(query) });
});
beforeEach(() => {
  statements.length = 0;
});
afterAll(() => handle.close());

/**
 * The lock_timeout in force in the unit of work's transaction, where the effect runs: read once
 * per row of the claimed key's table, which holds at least the claim.
 */
async function lockTimeoutHere(): Promise<string | undefined> {
  const [row] = await executorFor(handle.db)
    // sql: current_setting has no builder.
    .select({ value: sql<string>`current_setting('lock_timeout')` })
    .from(idempotencyKeysTable)
    .limit(1);
  return row?.value;
}

/** Runs a keyed request whose work reports the lock_timeout it ran under. */
function runKeyed(key: string) {
  const store = createIdempotencyStore(handle.db, WAIT_MS);
  return store.once({ scope: 'user:1', key, fingerprint: 'f' }, async () => ({
    result: await lockTimeoutHere(),
    answer: { status: 201, kept: { ok: true } },
  }));
}

/** The store's own statements: the work's reading of the setting left out. */
const storeStatements = (): string[] =>
  statements.filter((text) => !text.includes('current_setting'));

describe('the idempotency store', () => {
  it("claims a key in one statement and answers in one more; the effect waits as the session's locks do", async () => {
    expect(await runKeyed('first')).toEqual({ kind: 'first', result: '0' });
    const sent = storeStatements().filter((text) => !/^(begin|commit)$/.test(text));
    expect(sent).toHaveLength(2);
    // The timeout is set in the source row, before the insert can wait, and reset in the row
    // the claim returns.
    expect(sent[0]).toMatch(
      /^insert into "idempotency_keys" .*from \(select set_config\('lock_timeout', \$\d+, true\)\) as bounded/,
    );
    expect(sent[0]).toMatch(/returning set_config\('lock_timeout', null, true\)$/);
    expect(sent[1]).toMatch(/^update "idempotency_keys" set "status" = \$1, "answer" = \$2/);
  });

  it('claims afresh a key past its retention that the cleanup has not deleted, as a new one', async () => {
    await handle.db.insert(idempotencyKeysTable).values({
      scope: 'user:1',
      key: 'old',
      fingerprint: 'another request',
      status: 201,
      answer: { old: true },
      createdAt: new Date(Date.now() - 25 * 60 * 60 * 1000),
    });
    expect(await runKeyed('old')).toEqual({ kind: 'first', result: '0' });
  });

  it('replays a committed key without running the work again', async () => {
    await runKeyed('twice');
    statements.length = 0;
    expect(await runKeyed('twice')).toEqual({
      kind: 'replay',
      answer: { status: 201, kept: { ok: true } },
    });
    expect(statements.some((text) => text.includes('current_setting'))).toBe(false);
  });

  it("replays without locking or writing the key's row, so the replay's transaction is read-only", async () => {
    const rowLocker = () =>
      handle.db
        // sql: xmax, a system column, names the last transaction to lock or delete the row.
        .select({ xmax: sql<string>`xmax::text` })
        .from(idempotencyKeysTable)
        .where(eq(idempotencyKeysTable.key, 'read-only'));
    await runKeyed('read-only');
    expect(await rowLocker()).toEqual([{ xmax: '0' }]);
    statements.length = 0;
    expect((await runKeyed('read-only')).kind).toBe('replay');
    expect(await rowLocker()).toEqual([{ xmax: '0' }]);
    expect(storeStatements().some((text) => text.startsWith('update'))).toBe(false);
  });
});
