import { eq, sql } from 'drizzle-orm';
import type { ProfileQueries } from '../../../domain/profiles/ports.js';
import type { Database } from '../database.js';
import { prepared } from '../prepared.js';
import { executorFor } from '../unit-of-work.js';
import { usersTable } from '../schema/identity.js';
import { profileColumns, toProfileView, type Reader } from './profile-projection.js';

export function createProfileQueries(database: Database): ProfileQueries {
  /** Prepared once per audience (prepared.ts): anonymous, or as the bound viewer sees it. */
  const profileFor = (name: string, reader: Reader) =>
    prepared(database, name, (db) =>
      db
        .select(profileColumns(database, reader))
        .from(usersTable)
        .where(eq(usersTable.username, sql.placeholder('username'))),
    );
  const anonymous = profileFor('profile_anonymous', undefined);
  const asViewer = profileFor('profile_reader', sql.placeholder('viewer'));

  return {
    async findProfile(username, viewer) {
      const [row] = await (viewer === undefined ? anonymous : asViewer)({ username, viewer });
      return row === undefined ? undefined : toProfileView(row);
    },

    async findProfileOf(id, viewer) {
      // Read after a follow or unfollow, not a hot read: built per call, one primary-key probe.
      const [row] = await executorFor(database)
        .select(profileColumns(database, viewer))
        .from(usersTable)
        .where(eq(usersTable.id, id));
      return row === undefined ? undefined : toProfileView(row);
    },
  };
}
