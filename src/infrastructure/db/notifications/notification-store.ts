import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { NotificationStore } from '../../../domain/notifications/ports.js';
import type { UserId } from '../../../domain/shared/ids.js';
import type { Slug } from '../../../domain/shared/slug.js';
import type { Username } from '../../../domain/shared/username.js';
import type { Database } from '../database.js';
import { articlesTable } from '../schema/articles.js';
import { usersTable } from '../schema/identity.js';
import { notificationSendsTable as sends } from '../schema/outbox.js';
import { followsTable } from '../schema/profiles.js';

export function createNotificationStore(database: Database): NotificationStore {
  return {
    async username(id) {
      const [row] = await database
        .select({ username: usersTable.username })
        .from(usersTable)
        .where(eq(usersTable.id, id));
      return row?.username as Username | undefined;
    },

    async headline(id) {
      const [row] = await database
        .select({ title: articlesTable.title, slug: articlesTable.slug })
        .from(articlesTable)
        .where(eq(articlesTable.id, id));
      return row === undefined ? undefined : { title: row.title, slug: row.slug as Slug };
    },

    async untold(eventSequence, authorId, after, limit) {
      // follows_followee_idx (followee, follower) walks the followers in order from `after`.
      const rows = await database
        .select({ id: usersTable.id, email: usersTable.email })
        .from(followsTable)
        .innerJoin(usersTable, eq(usersTable.id, followsTable.followerId))
        .leftJoin(
          sends,
          and(
            eq(sends.eventSequence, eventSequence),
            eq(sends.recipientId, followsTable.followerId),
          ),
        )
        .where(
          and(
            eq(followsTable.followeeId, authorId),
            eq(usersTable.status, 'active'),
            isNull(sends.recipientId),
            after === undefined ? undefined : gt(followsTable.followerId, after),
          ),
        )
        .orderBy(asc(followsTable.followerId))
        .limit(limit);
      return rows.map((row) => ({ id: row.id as UserId, email: row.email }));
    },

    async told(eventSequence, recipient) {
      await database
        .insert(sends)
        .values({ eventSequence, recipientId: recipient })
        .onConflictDoNothing();
    },

    async untoldAccount(eventSequence, id) {
      const [row] = await database
        .select({ id: usersTable.id, email: usersTable.email, username: usersTable.username })
        .from(usersTable)
        .leftJoin(
          sends,
          and(eq(sends.eventSequence, eventSequence), eq(sends.recipientId, usersTable.id)),
        )
        .where(and(eq(usersTable.id, id), isNull(sends.recipientId)));
      return row === undefined
        ? undefined
        : { id: row.id as UserId, email: row.email, username: row.username as Username };
    },
  };
}
