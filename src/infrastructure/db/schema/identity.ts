import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { ACCOUNT_STATUSES } from '../../../domain/identity/account-status.js';
import { ROLES } from '../../../domain/shared/roles.js';

/** Enums, so the database refuses any role or status the domain does not know. */
export const roleEnum = pgEnum('user_role', ROLES);
export const accountStatusEnum = pgEnum('account_status', ACCOUNT_STATUSES);

export const usersTable = pgTable(
  'users',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    username: varchar('username', { length: 64 }).notNull(),
    email: varchar('email', { length: 254 }).notNull(),
    passwordHash: text('password_hash').notNull(),
    bio: varchar('bio', { length: 2000 }),
    image: varchar('image', { length: 2000 }),
    // Totals of the "by author" and "favorited by" lists, kept exact by the article and favorite
    // writes in their transactions (infrastructure/db/articles/article-repository.ts), never counted
    // per request.
    articlesCount: integer('articles_count').notNull().default(0),
    favoritesCount: integer('favorites_count').notNull().default(0),
    // Role and status are the projection of the account's audit entries (spec.md §8), written in
    // the transaction that appends them; `npm run audit:rebuild` recomputes them from the stream.
    role: roleEnum('role').notNull().default('user'),
    status: accountStatusEnum('status').notNull().default('active'),
    // Moved on by "log out everywhere", a role change and a suspension; a token of another version
    // is refused (domain/identity/token-version.ts).
    tokenVersion: integer('token_version').notNull().default(0),
    // The one token a password change left working (the one that made it): honoured whatever
    // its version, until the next revocation clears it.
    keptTokenId: uuid('kept_token_id'),
    createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // sql: expression index, so "Alice" and "alice" can't both register.
    uniqueIndex('users_username_lower_key').on(sql`lower(${table.username})`),
    // Lookups by the exact username (profiles, author and favorited filters).
    index('users_username_idx').on(table.username),
    // The last-admin rule locks the active admins: a handful of rows, found without a scan.
    index('users_active_admins_idx')
      .on(table.id)
      // sql: partial index predicate; only the rows the last-admin rule reads.
      .where(sql`${table.role} = 'admin' and ${table.status} = 'active'`),
    uniqueIndex('users_email_key').on(table.email),
    // sql: check constraint; the domain lower-cases emails, the database guarantees it.
    check('users_email_lower_check', sql`${table.email} = lower(${table.email})`),
    // sql: check constraint; blank usernames are rejected by the domain, and here too.
    check('users_username_not_blank_check', sql`length(trim(${table.username})) > 0`),
    // sql: check constraints; a counter below zero means a write forgot its other half.
    check('users_articles_count_check', sql`${table.articlesCount} >= 0`),
    check('users_favorites_count_check', sql`${table.favoritesCount} >= 0`),
    // sql: check constraint; versions only move up from 0, and a token's claim is never negative.
    check('users_token_version_check', sql`${table.tokenVersion} >= 0`),
  ],
);
