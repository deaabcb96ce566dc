import type { ArticleRemoved, CommentRemoved, EventConsumer } from '../shared/events.js';
import type { Mail, NotificationStore, Mailer, Recipient } from './ports.js';

function notice(
  event: ArticleRemoved | CommentRemoved,
  recipient: Recipient & { readonly username: string },
  id: string,
): Mail {
  const { slug, reason } = event.payload;
  const what =
    event.type === 'moderation.article_removed'
      ? `your article "${slug}"`
      : `your comment on "${slug}"`;
  return {
    to: recipient.email,
    subject: `A moderator removed ${what}`,
    text: [
      `Hello ${recipient.username},`,
      '',
      `A moderator removed ${what}.`,
      `Their reason: ${reason}`,
      '',
      'Reply to this message if you think this was a mistake.',
    ].join('\n'),
    id,
  };
}

/**
 * Tells authors when a moderator removes their article or comment, with the moderator's reason
 * (consumer `moderation-notices`). Idempotent by event id: the author, once told, is remembered
 * with the event, so a repeated delivery sends nothing; a relay that dies between the send and
 * its record repeats the mail with the same Message-ID.
 */
export function createModerationNotices(store: NotificationStore, mailer: Mailer): EventConsumer {
  return {
    name: 'moderation-notices',
    accepts: (type) =>
      type === 'moderation.article_removed' || type === 'moderation.comment_removed',
    async deliver(committed, signal) {
      const { event } = committed;
      if (
        event.type !== 'moderation.article_removed' &&
        event.type !== 'moderation.comment_removed'
      )
        return;
      const author = await store.untoldAccount(committed.sequence, event.payload.authorId);
      // Told already, or the account is gone.
      if (author === undefined) return;
      // Out of time (the read was slow): a send begun now could outlast the lease; the next try
      // sends it.
      signal.throwIfAborted();
      await mailer.send(notice(event, author, `${committed.id}.${String(author.id)}`));
      await store.told(committed.sequence, author.id);
    },
  };
}
