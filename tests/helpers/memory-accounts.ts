import type { AccountStatus } from '../../src/domain/identity/account-status.js';
import type { AccountChanges, AccountRepository } from '../../src/domain/identity/ports.js';
import {
  honours,
  parseTokenVersion,
  type TokenVersion,
} from '../../src/domain/identity/token-version.js';
import type { Account } from '../../src/domain/identity/user.js';
import type { UserId } from '../../src/domain/shared/ids.js';
import type { Role } from '../../src/domain/shared/roles.js';

export interface AccountRow {
  readonly account: Account;
  readonly passwordHash: string;
  readonly role: Role;
}

export const version = (value: number): TokenVersion => {
  const parsed = parseTokenVersion(value);
  if (parsed === undefined) throw new Error(`${String(value)} is no token version`);
  return parsed;
};

/**
 * Accounts in a map, for the domain's unit tests: the repository's contract (token-version guard,
 * revocation on a standing change) without a database. Locks are no-ops: one test, one caller.
 */
export function memoryAccounts() {
  const rows = new Map<UserId, AccountRow>();
  const changesSeen: AccountChanges[] = [];
  const byName = (username: string) =>
    [...rows.values()].find((row) => row.account.username === username);
  const standingOf = ({ account, role }: AccountRow) => ({
    id: account.id,
    username: account.username,
    role,
    status: account.status,
  });
  const findAccess: AccountRepository['findAccess'] = (id) => {
    const row = rows.get(id);
    return Promise.resolve(
      row && {
        role: row.role,
        status: row.account.status,
        tokenVersion: row.account.tokenVersion,
        keptTokenId: row.account.keptTokenId,
      },
    );
  };
  const accounts: AccountRepository = {
    findById: (id) => Promise.resolve(rows.get(id)?.account),
    findAccess,
    // No cache keeps an earlier answer here.
    findRecentAccess: (id) => findAccess(id),
    findCredentialsByEmail: (email) =>
      Promise.resolve([...rows.values()].find((row) => row.account.email === email)),
    insert({ username, email, passwordHash }) {
      const account: Account = {
        id: (rows.size + 1) as UserId,
        username,
        email,
        bio: null,
        image: null,
        tokenVersion: version(0),
        keptTokenId: null,
        status: 'active',
      };
      rows.set(account.id, { account, passwordHash, role: 'user' });
      return Promise.resolve(account);
    },
    update(caller, changes) {
      changesSeen.push(changes);
      const row = rows.get(caller.userId);
      if (row === undefined || !honours(row.account, caller)) return Promise.resolve(undefined);
      const { passwordHash = row.passwordHash, revokeTokens, ...fields } = changes;
      const revoked =
        revokeTokens === undefined
          ? {}
          : {
              tokenVersion: version(row.account.tokenVersion + 1),
              keptTokenId: revokeTokens === 'others' ? (caller.tokenId ?? null) : null,
            };
      const account = { ...row.account, ...fields, ...revoked };
      rows.set(caller.userId, { ...row, account, passwordHash });
      return Promise.resolve(account);
    },
    findIdByUsername: (username) => Promise.resolve(byName(username)?.account.id),
    lockForAdministration(target, actor) {
      const all = [...rows.values()];
      const actorRow = actor === undefined ? undefined : rows.get(actor);
      const targetRow = byName(target);
      return Promise.resolve({
        activeAdmins: all
          .filter((row) => row.role === 'admin' && row.account.status === 'active')
          .map((row) => row.account.id),
        target: targetRow && standingOf(targetRow),
        actor: actorRow && {
          ...standingOf(actorRow),
          tokenVersion: actorRow.account.tokenVersion,
          keptTokenId: actorRow.account.keptTokenId,
        },
      });
    },
    changeStanding(id, { role, status }) {
      const row = rows.get(id);
      if (row === undefined) throw new Error(`no account ${String(id)}`);
      const tokenVersion = version(row.account.tokenVersion + 1);
      const changed = {
        ...row,
        role,
        account: { ...row.account, status, tokenVersion, keptTokenId: null },
      };
      rows.set(id, changed);
      return Promise.resolve(standingOf(changed));
    },
  };

  /** Sets an account's role or status directly, as a test's starting point. */
  function set(id: UserId, standing: { role?: Role; status?: AccountStatus }): void {
    const row = rows.get(id);
    if (row === undefined) throw new Error(`no account ${String(id)}`);
    rows.set(id, {
      ...row,
      role: standing.role ?? row.role,
      account: { ...row.account, status: standing.status ?? row.account.status },
    });
  }

  return { accounts, rows, changesSeen, set };
}
