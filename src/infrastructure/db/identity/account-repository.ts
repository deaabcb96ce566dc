import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { Email } from '../../../domain/identity/email.js';
import type { AccountStatus } from '../../../domain/identity/account-status.js';
import type {
  AccountAccess,
  AccountRepository,
  AccountChanges,
  AccountStanding,
} from '../../../domain/identity/ports.js';
import type { TokenId, TokenVersion } from '../../../domain/identity/token-version.js';
import type { Account } from '../../../domain/identity/user.js';
import { ConflictError, type UniqueField } from '../../../domain/shared/errors.js';
import type { UserId } from '../../../domain/shared/ids.js';
import type { Role } from '../../../domain/shared/roles.js';
import type { Username } from '../../../domain/shared/username.js';
import { changedAt } from '../changed-at.js';
import type { Database } from '../database.js';
import { prepared } from '../prepared.js';
import { executorFor } from '../unit-of-work.js';
import { uniqueViolation } from '../pg-errors.js';
import { usersTable } from '../schema/identity.js';

const accountColumns = {
  id: usersTable.id,
  username: usersTable.username,
  email: usersTable.email,
  bio: usersTable.bio,
  image: usersTable.image,
  tokenVersion: usersTable.tokenVersion,
  keptTokenId: usersTable.keptTokenId,
  status: usersTable.status,
};

const standingColumns = {
  id: usersTable.id,
  username: usersTable.username,
  role: usersTable.role,
  status: usersTable.status,
};

interface AccountRow {
  readonly id: number;
  readonly username: string;
  readonly email: string;
  readonly bio: string | null;
  readonly image: string | null;
  readonly tokenVersion: number;
  readonly keptTokenId: string | null;
  readonly status: AccountStatus;
}

interface StandingRow {
  readonly id: number;
  readonly username: string;
  readonly role: Role;
  readonly status: AccountStatus;
}

function toStanding(row: StandingRow): AccountStanding {
  return {
    id: row.id as UserId,
    username: row.username as Username,
    role: row.role,
    status: row.status,
  };
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id as UserId,
    username: row.username as Username,
    email: row.email as Email,
    bio: row.bio,
    image: row.image,
    tokenVersion: row.tokenVersion as TokenVersion,
    keptTokenId: row.keptTokenId as TokenId | null,
    status: row.status,
  };
}

const CONFLICTS: Readonly<Partial<Record<string, UniqueField>>> = {
  users_username_lower_key: 'username',
  users_email_key: 'email',
};

/** Turns a broken uniqueness rule into the domain's conflict, naming the field. */
async function uniquely<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const field = CONFLICTS[uniqueViolation(error) ?? ''];
    if (field !== undefined) throw new ConflictError(field);
    throw error;
  }
}

export function createAccountRepository(database: Database): AccountRepository {
  // Asked on every authenticated request, so prepared once (prepared.ts): one primary-key probe.
  const accountAccess = prepared(database, 'account_access', (db) =>
    db
      .select({
        role: usersTable.role,
        status: usersTable.status,
        tokenVersion: usersTable.tokenVersion,
        keptTokenId: usersTable.keptTokenId,
      })
      .from(usersTable)
      .where(eq(usersTable.id, sql.placeholder('viewer'))),
  );

  async function findAccess(id: UserId): Promise<AccountAccess | undefined> {
    const [row] = await accountAccess({ viewer: id });
    return row === undefined
      ? undefined
      : {
          role: row.role,
          status: row.status,
          tokenVersion: row.tokenVersion as TokenVersion,
          keptTokenId: row.keptTokenId as TokenId | null,
        };
  }

  return {
    async findById(id) {
      const [row] = await executorFor(database)
        .select(accountColumns)
        .from(usersTable)
        .where(eq(usersTable.id, id));
      return row === undefined ? undefined : toAccount(row);
    },

    findAccess,
    // Nothing here keeps an earlier answer: the cache does (infrastructure/cache/cached-queries.ts).
    findRecentAccess: (id) => findAccess(id),

    async findCredentialsByEmail(email) {
      const [row] = await executorFor(database)
        .select({ ...accountColumns, passwordHash: usersTable.passwordHash })
        .from(usersTable)
        .where(eq(usersTable.email, email));
      return row === undefined
        ? undefined
        : { account: toAccount(row), passwordHash: row.passwordHash };
    },

    insert(account) {
      return uniquely(async () => {
        const [row] = await executorFor(database)
          .insert(usersTable)
          .values(account)
          .returning(accountColumns);
        if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
        return toAccount(row);
      });
    },

    update(caller, { revokeTokens, ...changes }: AccountChanges) {
      return uniquely(async () => {
        const [row] = await executorFor(database)
          .update(usersTable)
          .set({
            ...changes,
            updatedAt: changedAt(usersTable.updatedAt),
            ...(revokeTokens !== undefined && {
              // sql: moved on in the row itself, so concurrent revocations each count.
              tokenVersion: sql`${usersTable.tokenVersion} + 1`,
              keptTokenId: revokeTokens === 'others' ? (caller.tokenId ?? null) : null,
            }),
          })
          .where(
            and(
              eq(usersTable.id, caller.userId),
              // The caller's token is still honoured (token-version.ts `honours`).
              or(
                eq(usersTable.tokenVersion, caller.tokenVersion),
                caller.tokenId === undefined
                  ? undefined
                  : eq(usersTable.keptTokenId, caller.tokenId),
              ),
            ),
          )
          .returning(accountColumns);
        return row === undefined ? undefined : toAccount(row);
      });
    },

    async findIdByUsername(username) {
      const [row] = await executorFor(database)
        .select({ id: usersTable.id })
        .from(usersTable)
        .where(eq(usersTable.username, username));
      return row?.id as UserId | undefined;
    },

    async lockForAdministration(target, actor) {
      // FOR NO KEY UPDATE, as every other writer of these rows: foreign-key checks of inserts that
      // name the accounts (KEY SHARE) go on.
      const rows = await executorFor(database)
        .select({
          ...standingColumns,
          tokenVersion: usersTable.tokenVersion,
          keptTokenId: usersTable.keptTokenId,
        })
        .from(usersTable)
        .where(
          or(
            and(eq(usersTable.role, 'admin'), eq(usersTable.status, 'active')),
            eq(usersTable.username, target),
            actor === undefined ? undefined : eq(usersTable.id, actor),
          ),
        )
        .orderBy(asc(usersTable.id))
        .for('no key update');
      const found = rows.map((row) => ({
        ...toStanding(row),
        tokenVersion: row.tokenVersion as TokenVersion,
        keptTokenId: row.keptTokenId as TokenId | null,
      }));
      return {
        activeAdmins: found
          .filter((row) => row.role === 'admin' && row.status === 'active')
          .map((row) => row.id),
        target: found.find((row) => row.username === target),
        actor: found.find((row) => row.id === actor),
      };
    },

    async changeStanding(id, { role, status }) {
      const [row] = await executorFor(database)
        .update(usersTable)
        .set({
          role,
          status,
          updatedAt: changedAt(usersTable.updatedAt),
          // sql: moved on in the row itself: a standing change revokes every token (ports.ts).
          tokenVersion: sql`${usersTable.tokenVersion} + 1`,
          keptTokenId: null,
        })
        .where(eq(usersTable.id, id))
        .returning(standingColumns);
      if (row === undefined) throw new Error(`account ${String(id)} vanished while locked`);
      return toStanding(row);
    },
  };
}
