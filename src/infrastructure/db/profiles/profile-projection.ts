import { and, eq, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgSelect } from 'drizzle-orm/pg-core';
import type { ProfileView } from '../../../domain/shared/profile-view.js';
import type { Viewer } from '../../../domain/shared/ids.js';
import type { Username } from '../../../domain/shared/username.js';
import type { Database } from '../database.js';
import { hasRow } from '../generic-plans.js';
import { followsTable } from '../schema/profiles.js';
import { usersTable } from '../schema/identity.js';

/**
 * Who reads: a user id, a placeholder bound to one when a prepared statement runs, or
 * `undefined` for an anonymous reader.
 */
export type Reader = Viewer | Placeholder;

/** The `follows` row of `follower` following the user whose id is in `userId`: one or none. */
export function followRow(
  db: Database,
  follower: Exclude<Reader, undefined>,
  userId: AnyPgColumn,
): PgSelect<'follows', { followerId: typeof followsTable.followerId }, 'partial'> {
  return db
    .select({ followerId: followsTable.followerId })
    .from(followsTable)
    .where(and(eq(followsTable.followerId, follower), eq(followsTable.followeeId, userId)))
    .$dynamic();
}

/** `true` when `viewer` follows the user whose id is in `userId`; always `false` for anonymous. */
export function followedBy(db: Database, viewer: Reader, userId: AnyPgColumn): SQL<boolean> {
  // sql: a constant, so an anonymous request asks the database nothing about follows.
  if (viewer === undefined) return sql<boolean>`false`;
  return hasRow(followRow(db, viewer, userId));
}

// A type alias, not an interface: Drizzle's select() needs an index-signature-compatible type.
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- see above
export type ProfileColumns = {
  username: typeof usersTable.username;
  bio: typeof usersTable.bio;
  image: typeof usersTable.image;
  following: SQL<boolean>;
};

/** The profile columns of `usersTable` as `viewer` sees them; every view of a person uses it. */
export function profileColumns(db: Database, viewer: Reader): ProfileColumns {
  return {
    username: usersTable.username,
    bio: usersTable.bio,
    image: usersTable.image,
    following: followedBy(db, viewer, usersTable.id),
  };
}

export interface ProfileRow {
  readonly username: string;
  readonly bio: string | null;
  readonly image: string | null;
  readonly following: boolean;
}

export function toProfileView(row: ProfileRow): ProfileView {
  return { ...row, username: row.username as Username };
}
