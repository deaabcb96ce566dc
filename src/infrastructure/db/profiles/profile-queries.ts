import { eq } from 'drizzle-orm';
import type { ProfileQueries } from '../../../domain/profiles/ports.js';
import type { Database } from '../database.js';
import { usersTable } from '../schema/identity.js';
import { profileColumns, toProfileView } from './profile-projection.js';

export function createProfileQueries(db: Database): ProfileQueries {
  return {
    async findProfile(username, viewer) {
      const [row] = await db
        .select(profileColumns(db, viewer))
        .from(usersTable)
        .where(eq(usersTable.username, username));
      return row === undefined ? undefined : toProfileView(row);
    },
  };
}
