import { DeliveryUnfinished, type CommittedEvent, type EventConsumer } from '../shared/events.js';
import type { ArticleHeadline, Mail, Mailer, NotificationStore, Recipient } from './ports.js';

/** Followers read and mailed at a time, so a popular author's fan-out stays bounded in memory. */
const PAGE_SIZE = 200;

/** One line: a title is free text, and a subject must not break its header. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function notification(
  committed: CommittedEvent,
  article: ArticleHeadline,
  author: string,
  recipient: Recipient,
  appUrl: string,
): Mail {
  const title = oneLine(article.title);
  return {
    to: recipient.email,
    subject: `New article by ${author}: ${title}`,
    text: [
      `${author} published "${title}".`,
      `Read it at ${appUrl}/article/${article.slug}.`,
      '',
      `You receive this because you follow ${author}.`,
    ].join('\n'),
    id: `${committed.id}.${String(recipient.id)}`,
  };
}

/**
 * Tells an author's followers when they publish (consumer `notifications`). Idempotent by event
 * id: each follower told is remembered with the event, so a repeated delivery mails only those
 * not reached yet, and a fan-out too large for one try's time is finished by the next tries
 * (each try that told someone ends `DeliveryUnfinished`, so however many it takes, none counts
 * towards the dead letters). A relay that dies between a send and its record repeats that one
 * mail, with the same Message-ID.
 */
export function createFollowerNotifications(
  store: NotificationStore,
  mailer: Mailer,
  /** Where readers open the web app (`APP_URL`), before each article's path; '' for none. */
  appUrl = '',
): EventConsumer {
  return {
    name: 'notifications',
    accepts: (type) => type === 'article.published',
    async deliver(committed, signal) {
      const { event } = committed;
      if (event.type !== 'article.published') return;
      const author = await store.username(event.payload.authorId);
      // The author's account is gone, and their followers' links with it.
      if (author === undefined) return;
      let toldNow = 0;
      let after: Recipient['id'] | undefined;
      for (;;) {
        // Read again for each page: an article deleted or removed meanwhile is not advertised to
        // the followers still to be told, and one edited is told as it reads now.
        const article = await store.headline(event.payload.articleId);
        if (article === undefined) return;
        const page = await store.untold(
          committed.sequence,
          event.payload.authorId,
          after,
          PAGE_SIZE,
        );
        for (const recipient of page) {
          // Out of time: the next try carries on from the first follower not yet told.
          if (signal.aborted && toldNow > 0) throw new DeliveryUnfinished();
          signal.throwIfAborted();
          await mailer.send(notification(committed, article, author, recipient, appUrl));
          await store.told(committed.sequence, recipient.id);
          toldNow++;
        }
        const last = page.at(-1);
        if (last === undefined || page.length < PAGE_SIZE) return;
        after = last.id;
      }
    },
  };
}
