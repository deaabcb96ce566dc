import { and, eq, sql } from 'drizzle-orm';
import type { FollowRepository } from '../../../domain/profiles/ports.js';
import type { UserId } from '../../../domain/shared/ids.js';
import type { Database } from '../database.js';
import { writeRetry } from '../retry.js';
import { executorFor, transactionOn } from '../unit-of-work.js';
import { usersTable } from '../schema/identity.js';
import { feedTotalsTable, followsTable } from '../schema/profiles.js';

export function createFollowRepository(database: Database): FollowRepository {
  /**
   * Adds (or takes back) the followee's articles to the follower's feed total. The followee's
   * row is read FOR SHARE: a publish or delete by the followee updates that row before its
   * fan-out to the followers, so one of the two waits for the other and each article is counted
   * once (spec.md §3). A follow creates the follower's row even when there is nothing to add
   * yet: the fan-out of the followee's next publish updates it.
   */
  async function adjustFeedTotal(
    tx: Database,
    followerId: UserId,
    followeeId: UserId,
    sign: 1 | -1,
  ): Promise<void> {
    const [followee] = await tx
      .select({ articles: usersTable.articlesCount })
      .from(usersTable)
      .where(eq(usersTable.id, followeeId))
      .for('share');
    const articles = followee?.articles ?? 0;
    // sql: in-place changes, correct whatever other transactions did before us.
    const moved = sql`${feedTotalsTable.articles} ${sign > 0 ? sql`+` : sql`-`} ${articles}`;
    if (sign < 0) {
      // The follow being undone created the row.
      await tx
        .update(feedTotalsTable)
        .set({ articles: moved })
        .where(eq(feedTotalsTable.userId, followerId));
      return;
    }
    await tx
      .insert(feedTotalsTable)
      .values({ userId: followerId, articles })
      .onConflictDoUpdate({ target: feedTotalsTable.userId, set: { articles: moved } });
  }

  /** The edge and the feed total change together, in a transaction of their own or the open unit of work's. */
  const atomically = (work: (tx: Database) => Promise<boolean>): Promise<boolean> =>
    transactionOn(database, work, (attempt) => writeRetry.execute(attempt));

  return {
    async findUserId(username) {
      const [row] = await executorFor(database)
        .select({ id: usersTable.id })
        .from(usersTable)
        .where(eq(usersTable.username, username));
      return row?.id as UserId | undefined;
    },

    async follow(followerId, followeeId) {
      return atomically(async (tx) => {
        // The primary key makes a repeated or concurrent follow a no-op, never a second row.
        const inserted = await tx
          .insert(followsTable)
          .values({ followerId, followeeId })
          .onConflictDoNothing()
          .returning({ followerId: followsTable.followerId });
        if (inserted.length === 0) return false;
        await adjustFeedTotal(tx, followerId, followeeId, 1);
        return true;
      });
    },

    async unfollow(followerId, followeeId) {
      return atomically(async (tx) => {
        const deleted = await tx
          .delete(followsTable)
          .where(
            and(eq(followsTable.followerId, followerId), eq(followsTable.followeeId, followeeId)),
          )
          .returning({ followerId: followsTable.followerId });
        if (deleted.length === 0) return false;
        await adjustFeedTotal(tx, followerId, followeeId, -1);
        return true;
      });
    },
  };
}
