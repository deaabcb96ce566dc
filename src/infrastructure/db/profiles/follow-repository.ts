import { and, eq } from 'drizzle-orm';
import type { FollowRepository } from '../../../domain/profiles/ports.js';
import type { UserId } from '../../../domain/shared/ids.js';
import type { Database } from '../database.js';
import { executorFor } from '../unit-of-work.js';
import { usersTable } from '../schema/identity.js';
import { followsTable } from '../schema/profiles.js';

export function createFollowRepository(database: Database): FollowRepository {
  return {
    async findUserId(username) {
      const [row] = await executorFor(database)
        .select({ id: usersTable.id })
        .from(usersTable)
        .where(eq(usersTable.username, username));
      return row?.id as UserId | undefined;
    },

    async follow(followerId, followeeId) {
      // The primary key makes a repeated or concurrent follow a no-op, never a second row.
      await executorFor(database)
        .insert(followsTable)
        .values({ followerId, followeeId })
        .onConflictDoNothing();
    },

    async unfollow(followerId, followeeId) {
      await executorFor(database)
        .delete(followsTable)
        .where(
          and(eq(followsTable.followerId, followerId), eq(followsTable.followeeId, followeeId)),
        );
    },
  };
}
