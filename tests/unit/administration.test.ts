import { describe, expect, it } from 'vitest';
import { createAdministration } from '../../src/domain/identity/administration.js';
import { parseEmail } from '../../src/domain/identity/email.js';
import type { Principal } from '../../src/domain/identity/user.js';
import type { AuditFilter, AuditRecord } from '../../src/domain/shared/audit.js';
import {
  ForbiddenError,
  LastAdminError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../src/domain/shared/errors.js';
import type { UserId } from '../../src/domain/shared/ids.js';
import type { Role } from '../../src/domain/shared/roles.js';
import { parseUsername } from '../../src/domain/shared/username.js';
import { memoryAccounts } from '../helpers/memory-accounts.js';
import { recordingEvents } from '../helpers/recorded-events.js';

/** Accounts `a`, `b`, `c`… with the roles given, and the administration over them. */
function setup(roles: readonly Role[]) {
  const { accounts, rows, set } = memoryAccounts();
  const listed: AuditFilter[] = [];
  const stream: AuditRecord[] = [];
  const { atomic, events, audit, recorded, audited } = recordingEvents();
  const administration = createAdministration({
    atomic,
    events,
    audit,
    accounts,
    auditLog: {
      list(filter) {
        listed.push(filter);
        return Promise.resolve(stream.slice(0, filter.limit));
      },
    },
  });
  return Promise.all(
    roles.map(async (role, index) => {
      const name = String.fromCharCode(97 + index);
      const account = await accounts.insert({
        username: parseUsername(name),
        email: parseEmail(`${name}@example.com`),
        passwordHash: 'x',
      });
      set(account.id, { role });
      return account.id;
    }),
  ).then((ids) => ({ administration, rows, set, ids, recorded, audited, listed, stream }));
}

/** The principal of account `id` as a fresh token of it authenticates. */
function principal(rows: Awaited<ReturnType<typeof setup>>['rows'], id: UserId): Principal {
  const row = rows.get(id);
  if (row === undefined) throw new Error(`no account ${String(id)}`);
  return { userId: id, tokenVersion: row.account.tokenVersion, tokenId: undefined, role: row.role };
}

describe('Administration.changeRole', () => {
  it('grants a role: audited with the reason, an event with the role before, tokens revoked', async () => {
    const { administration, rows, ids, recorded, audited } = await setup(['user']);
    const [id] = ids as [UserId];
    const account = await administration.changeRole('system', 'a', {
      role: 'admin',
      reason: ' first ',
    });
    expect(account).toEqual({ username: 'a', role: 'admin', status: 'active' });
    expect(audited).toEqual([
      {
        action: 'account.role_granted',
        actor: 'system',
        subject: id,
        reason: 'first',
        role: 'admin',
      },
    ]);
    expect(recorded).toEqual([
      {
        type: 'user.role_granted',
        version: 1,
        aggregate: { type: 'user', id },
        payload: { userId: id, role: 'admin', previousRole: 'user' },
      },
    ]);
    expect(rows.get(id)?.account.tokenVersion).toBe(1);
  });

  it('takes a role away with `user`, naming the role revoked', async () => {
    const { administration, rows, ids, recorded, audited } = await setup(['admin', 'moderator']);
    const [root] = ids as [UserId];
    await administration.changeRole(principal(rows, root), 'b', { role: 'user', reason: 'left' });
    expect(audited[0]).toMatchObject({ action: 'account.role_revoked', role: 'moderator' });
    expect(recorded[0]).toMatchObject({
      type: 'user.role_revoked',
      payload: { role: 'moderator', previousRole: 'moderator' },
    });
  });

  it('records nothing and revokes nothing when the account already has the role', async () => {
    const { administration, rows, ids, recorded, audited } = await setup(['admin', 'moderator']);
    const [root, other] = ids as [UserId, UserId];
    await administration.changeRole(principal(rows, root), 'b', { role: 'moderator', reason: 'x' });
    expect([recorded, audited]).toEqual([[], []]);
    expect(rows.get(other)?.account.tokenVersion).toBe(0);
  });

  it.each([
    ['demote', ['admin'], { role: 'moderator' }],
    ['demote the only active one', ['admin', 'admin'], { role: 'user' }],
  ] as const)('refuses to %s the last active admin', async (_case, roles, change) => {
    const { administration, set, ids } = await setup(roles);
    // With two admins, one suspended: the other is the last active one.
    if (ids[1] !== undefined) set(ids[1], { status: 'suspended' });
    await expect(
      administration.changeRole('system', 'a', { ...change, reason: 'x' }),
    ).rejects.toThrow(LastAdminError);
  });

  it('lets an admin step down while another remains', async () => {
    const { administration, rows, ids } = await setup(['admin', 'admin']);
    const [first] = ids as [UserId];
    await expect(
      administration.changeRole(principal(rows, first), 'a', { role: 'user', reason: 'bye' }),
    ).resolves.toMatchObject({ role: 'user' });
  });

  it('refuses an administrator whose token predates a change of their own (401)', async () => {
    const { administration, rows, ids } = await setup(['admin', 'admin', 'user']);
    const [first, second] = ids as [UserId, UserId];
    const stale = principal(rows, first);
    await administration.changeRole(principal(rows, second), 'a', { role: 'user', reason: 'r' });
    await expect(
      administration.changeRole(stale, 'c', { role: 'admin', reason: 'mine again' }),
    ).rejects.toThrow(new UnauthenticatedError('invalid'));
    await expect(
      administration.changeRole(stale, 'a', { role: 'admin', reason: 'mine again' }),
    ).rejects.toThrow(UnauthenticatedError);
  });

  it('requires a reason, and answers 404 for an unknown or impossible username', async () => {
    const { administration, recorded } = await setup(['user']);
    await expect(
      administration.changeRole('system', 'a', { role: 'admin', reason: ' ' }),
    ).rejects.toThrow(ValidationError);
    for (const name of ['zz', 'no such']) {
      await expect(
        administration.changeRole('system', name, { role: 'admin', reason: 'r' }),
      ).rejects.toThrow(new NotFoundError('profile'));
    }
    expect(recorded).toEqual([]);
  });
});

describe('Administration.changeStatus', () => {
  it('lets a moderator suspend a user, not staff', async () => {
    const { administration, rows, ids } = await setup(['moderator', 'user', 'moderator']);
    const moderator = principal(rows, ids[0] as UserId);
    await expect(
      administration.changeStatus(moderator, 'b', { status: 'suspended', reason: 'spam' }),
    ).resolves.toMatchObject({ status: 'suspended' });
    await expect(
      administration.changeStatus(moderator, 'c', { status: 'suspended', reason: 'rival' }),
    ).rejects.toThrow(new ForbiddenError('account'));
  });

  it('suspends and reinstates with an audit entry and an event each', async () => {
    const { administration, ids, recorded, audited } = await setup(['user']);
    const [id] = ids as [UserId];
    await administration.changeStatus('system', 'a', { status: 'suspended', reason: 'abuse' });
    await administration.changeStatus('system', 'a', { status: 'suspended', reason: 'again' });
    await administration.changeStatus('system', 'a', { status: 'active', reason: 'appeal' });
    expect(audited.map((entry) => [entry.action, entry.reason])).toEqual([
      ['account.suspended', 'abuse'],
      ['account.reinstated', 'appeal'],
    ]);
    expect(recorded.map((event) => event.type)).toEqual(['user.suspended', 'user.reinstated']);
    expect(recorded[0]?.aggregate).toEqual({ type: 'user', id });
  });

  it('refuses to suspend the last active admin, even by the system', async () => {
    const { administration } = await setup(['admin']);
    await expect(
      administration.changeStatus('system', 'a', { status: 'suspended', reason: 'x' }),
    ).rejects.toThrow(LastAdminError);
  });
});

describe('Administration.auditEvents', () => {
  function record(sequence: number): AuditRecord {
    return {
      sequence,
      action: 'account.login_failed',
      actor: { type: 'anonymous' },
      subject: null,
      role: null,
      reason: null,
      requestId: null,
      occurredAt: new Date(0),
    };
  }

  it('gives the next page only when there is one', async () => {
    const { administration, stream } = await setup([]);
    stream.push(record(3), record(2));
    expect(await administration.auditEvents({ limit: 2 })).toEqual({
      auditEvents: [record(3), record(2)],
      next: null,
    });
    stream.push(record(1));
    expect(await administration.auditEvents({ limit: 2 })).toMatchObject({ next: 2 });
  });

  it('reads the special actors, names usernames by id, and matches nothing for nobody', async () => {
    const { administration, ids, listed } = await setup(['user']);
    await administration.auditEvents({ actor: '@system', subject: 'a', limit: 5 });
    expect(listed).toEqual([{ actor: 'system', subject: ids[0], limit: 6 }]);
    expect(await administration.auditEvents({ actor: 'nobody', limit: 5 })).toEqual({
      auditEvents: [],
      next: null,
    });
    expect(listed).toHaveLength(1);
  });
});
