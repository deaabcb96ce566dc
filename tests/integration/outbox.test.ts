import { eq, ne, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFollowerNotifications } from '../../src/domain/notifications/follower-notifications.js';
import type { CommittedEvent, EventConsumer } from '../../src/domain/shared/events.js';
import type { UserId } from '../../src/domain/shared/ids.js';
import { createNotificationStore } from '../../src/infrastructure/db/notifications/notification-store.js';
import {
  createDeliveryStore,
  forgetDeliveredEvents,
} from '../../src/infrastructure/db/outbox/delivery-store.js';
import {
  listDeadLetters,
  redriveDeadLetters,
} from '../../src/infrastructure/db/outbox/dead-letters.js';
import { createOutboxRecorder } from '../../src/infrastructure/db/outbox/outbox-recorder.js';
import {
  eventDeliveriesTable,
  notificationSendsTable,
  outboxEventsTable,
} from '../../src/infrastructure/db/schema/outbox.js';
import { articlesTable } from '../../src/infrastructure/db/schema/articles.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { inUnitOfWork } from '../../src/infrastructure/db/unit-of-work.js';
import { createSmtpMailer } from '../../src/infrastructure/mail/mailers.js';
import { createTestApp, rowCounts, TEST_ENVIRONMENT, type TestApp } from '../helpers/app.js';
import { loadConfig } from '../../src/core/config.js';
import { createArticle, registerUser, type RegisteredUser } from '../helpers/factories.js';
import { captureMailer, drain, outboxEvents, testRelay } from '../helpers/outbox.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

/** A test that builds an app and database of its own needs more than the default 20 s on a busy machine. */
const OWN_APP_TIMEOUT_MS = 60_000;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function idOf(user: RegisteredUser): Promise<number> {
  const [row] = await t.db
    .select({ id: usersTable.id })
    .from(usersTable)
    .where(eq(usersTable.username, user.username));
  if (row === undefined) throw new Error(`no user ${user.username}`);
  return row.id;
}

async function deliveries() {
  return t.db.select().from(eventDeliveriesTable);
}

/** Empties the outbox's deliveries between tests, as if every earlier event had been delivered. */
async function settleAll(): Promise<void> {
  await t.db.delete(eventDeliveriesTable);
}

/** An author with `count` followers, every earlier delivery settled. */
async function authorWithFollowers(count: number) {
  const author = await registerUser(t.app);
  const followers = await Promise.all(Array.from({ length: count }, () => registerUser(t.app)));
  for (const follower of followers) {
    const followed = await t.app.inject({
      method: 'POST',
      url: `/api/v1/profiles/${author.username}/follow`,
      headers: follower.headers,
    });
    expect(followed.statusCode).toBe(200);
  }
  await settleAll();
  return { author, followers };
}

/** A consumer of every event that fails while `failing` says so and keeps what it got. */
function recordingConsumer(name: string, failing: (event: CommittedEvent) => boolean) {
  const delivered: CommittedEvent[] = [];
  const consumer: EventConsumer = {
    name,
    accepts: () => true,
    deliver(committed) {
      if (failing(committed)) return Promise.reject(new Error(`${name} refused`));
      delivered.push(committed);
      return Promise.resolve();
    },
  };
  return { consumer, delivered };
}

/** Records `count` events of `aggregateId`'s article in one transaction, each owed to `consumer`. */
async function recordArticleEvents(consumer: string, aggregateId: number, count: number) {
  const recorder = createOutboxRecorder(t.db, {
    consumersOf: () => [consumer],
    committed: () => undefined,
  });
  await inUnitOfWork(t.db, async () => {
    for (let n = 0; n < count; n++) {
      await recorder.record({
        type: 'article.favorited',
        version: 1,
        aggregate: { type: 'article', id: aggregateId },
        payload: { articleId: aggregateId as never, userId: n as UserId },
      });
    }
  });
}

describe('domain events in the outbox', () => {
  it('records one event per state change, in order, with its aggregate and payload', async () => {
    const before = (await outboxEvents(t.db)).length;
    const author = await registerUser(t.app);
    const reader = await registerUser(t.app);
    const [authorId, readerId] = [await idOf(author), await idOf(reader)];
    const follow = `/api/v1/profiles/${author.username}/follow`;
    await t.app.inject({ method: 'POST', url: follow, headers: reader.headers });
    const article = await createArticle(t.app, author, { title: 'Events', tagList: ['b', 'a'] });
    const url = `/api/v1/articles/${article.slug}`;
    await t.app.inject({ method: 'POST', url: `${url}/favorite`, headers: reader.headers });
    const comment = await t.app.inject({
      method: 'POST',
      url: `${url}/comments`,
      headers: reader.headers,
      payload: { comment: { body: 'Nice' } },
    });
    const commentId: number = comment.json().comment.id;
    await t.app.inject({
      method: 'DELETE',
      url: `${url}/comments/${String(commentId)}`,
      headers: reader.headers,
    });
    await t.app.inject({ method: 'DELETE', url: `${url}/favorite`, headers: reader.headers });
    await t.app.inject({
      method: 'PUT',
      url,
      headers: author.headers,
      payload: { article: { body: 'Edited' } },
    });
    await t.app.inject({ method: 'DELETE', url, headers: author.headers });
    await t.app.inject({ method: 'DELETE', url: follow, headers: reader.headers });
    await t.app.inject({
      method: 'PUT',
      url: '/api/v1/user',
      headers: reader.headers,
      payload: { user: { bio: 'Hello', password: 'another password' } },
    });

    const articleId = (await outboxEvents(t.db)).find(
      (e) => e.type === 'article.published',
    )?.aggregateId;
    const onArticle = { aggregateType: 'article', aggregateId: articleId };
    const onComment = { aggregateType: 'comment', aggregateId: commentId };
    const onReader = { aggregateType: 'user', aggregateId: readerId };
    const favorite = { articleId, userId: readerId };
    const commentPayload = { commentId, articleId, authorId: readerId };
    expect((await outboxEvents(t.db)).slice(before)).toEqual([
      {
        type: 'user.registered',
        aggregateType: 'user',
        aggregateId: authorId,
        payload: { userId: authorId, username: author.username },
      },
      {
        type: 'user.registered',
        ...onReader,
        payload: { userId: readerId, username: reader.username },
      },
      {
        type: 'profile.followed',
        ...onReader,
        payload: { followerId: readerId, followeeId: authorId },
      },
      {
        type: 'article.published',
        ...onArticle,
        payload: {
          articleId,
          slug: article.slug,
          authorId,
          title: 'Events',
          tagList: ['b', 'a'],
        },
      },
      { type: 'article.favorited', ...onArticle, payload: favorite },
      { type: 'comment.added', ...onComment, payload: commentPayload },
      { type: 'comment.deleted', ...onComment, payload: commentPayload },
      { type: 'article.unfavorited', ...onArticle, payload: favorite },
      {
        type: 'article.updated',
        ...onArticle,
        payload: { articleId, slug: article.slug, changed: ['body'] },
      },
      {
        type: 'article.deleted',
        ...onArticle,
        payload: { articleId, slug: article.slug, authorId },
      },
      {
        type: 'profile.unfollowed',
        ...onReader,
        payload: { followerId: readerId, followeeId: authorId },
      },
      {
        type: 'user.profile_updated',
        ...onReader,
        payload: { userId: readerId, changed: ['bio'] },
      },
      { type: 'user.password_changed', ...onReader, payload: { userId: readerId } },
    ]);
  });

  it('owes a delivery only to the consumers of the event (here: notifications of a publish)', async () => {
    await settleAll();
    const author = await registerUser(t.app);
    await createArticle(t.app, author);
    const owed = await deliveries();
    expect(owed).toHaveLength(1);
    expect(owed[0]).toMatchObject({ consumer: 'notifications', attempts: 0, lease: null });
  });

  it('keeps no event of a transaction that rolls back', async () => {
    const before = await rowCounts(t.db);
    await expect(
      inUnitOfWork(t.db, async () => {
        await createOutboxRecorder(t.db, {
          consumersOf: () => ['anyone'],
          committed: () => undefined,
        }).record({
          type: 'user.password_changed',
          version: 1,
          aggregate: { type: 'user', id: 1 },
          payload: { userId: 1 as UserId },
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('refuses to record an event outside the transaction of a change', async () => {
    const recorder = createOutboxRecorder(t.db, {
      consumersOf: () => [],
      committed: () => undefined,
    });
    await expect(
      recorder.record({
        type: 'user.password_changed',
        version: 1,
        aggregate: { type: 'user', id: 1 },
        payload: { userId: 1 as UserId },
      }),
    ).rejects.toThrow('user.password_changed recorded outside the transaction of its change');
  });
});

describe('follower notifications through the relay', () => {
  it("mails each of the author's followers once, then owes nothing", async () => {
    const { author, followers } = await authorWithFollowers(3);
    const mailer = captureMailer();
    const notifications = createFollowerNotifications(createNotificationStore(t.db), mailer);
    const { relay, outcomes } = testRelay(t.db, [notifications]);
    const article = await createArticle(t.app, author, { title: 'Dragons\r\nBcc: x@y.z' });

    expect(await drain(relay)).toBe(1);
    expect(outcomes).toEqual(['delivered']);
    expect(mailer.sent.map((mail) => mail.to).sort()).toEqual(
      followers.map((follower) => follower.email).sort(),
    );
    for (const mail of mailer.sent) {
      // The title's line break can't start a header of its own.
      expect(mail.subject).toBe(`New article by ${author.username}: Dragons Bcc: x@y.z`);
      expect(mail.text).toContain(`/article/${article.slug}`);
    }
    expect(new Set(mailer.sent.map((mail) => mail.id)).size).toBe(3);
    expect(await deliveries()).toEqual([]);
  });

  it('mails nobody twice when a relay dies between sending and settling', async () => {
    const { author, followers } = await authorWithFollowers(2);
    const mailer = captureMailer();
    const notifications = createFollowerNotifications(createNotificationStore(t.db), mailer);
    const store = createDeliveryStore(t.db);
    // The first relay sends, then dies before it can mark the delivery done: its settle never
    // reaches the database, and its lease (20 ms) lapses.
    const dying = testRelay(t.db, [notifications], {
      leaseMs: 20,
      store: { ...store, complete: () => Promise.reject(new Error('process killed')) },
    });
    await createArticle(t.app, author);
    expect(await dying.relay.runOnce()).toBe(1);
    expect(mailer.sent).toHaveLength(2);
    const [held] = await deliveries();
    expect(held).toMatchObject({ attempts: 1, lease: expect.any(String) });

    await new Promise((resolve) => setTimeout(resolve, 50));
    const { relay, outcomes } = testRelay(t.db, [notifications]);
    expect(await drain(relay)).toBe(1);
    // Delivered twice, mailed once: the second delivery found every follower already told.
    expect(outcomes).toEqual(['delivered']);
    expect(mailer.sent.map((mail) => mail.to).sort()).toEqual(
      followers.map((follower) => follower.email).sort(),
    );
    expect(await deliveries()).toEqual([]);
  });

  it('remembers each follower told, so a partly sent fan-out resumes where it stopped', async () => {
    const { author } = await authorWithFollowers(3);
    let budget = 2;
    const flaky = captureMailer();
    const mailer = {
      sent: flaky.sent,
      send: (mail: Parameters<typeof flaky.send>[0]) =>
        budget-- > 0 ? flaky.send(mail) : Promise.reject(new Error('SMTP 421, try later')),
    };
    const notifications = createFollowerNotifications(createNotificationStore(t.db), mailer);
    const { relay, outcomes } = testRelay(t.db, [notifications]);
    const told = async () => (await t.db.select().from(notificationSendsTable)).length;
    const toldBefore = await told();
    await createArticle(t.app, author);
    await relay.runOnce();
    expect(outcomes).toEqual(['retried']);
    expect((await told()) - toldBefore).toBe(2);
    budget = 10;
    await relay.runOnce();
    expect(outcomes).toEqual(['retried', 'delivered']);
    expect(new Set(flaky.sent.map((mail) => mail.to)).size).toBe(3);
    expect(flaky.sent).toHaveLength(3);
  });
});

describe('follower notifications of an article that changed before its fan-out', () => {
  /** An author with two followers, and a relay of their notifications into a captured mailbox. */
  async function fanOut() {
    const { author, followers } = await authorWithFollowers(2);
    const mailer = captureMailer();
    const notifications = createFollowerNotifications(createNotificationStore(t.db), mailer);
    const { relay, outcomes } = testRelay(t.db, [notifications]);
    const article = await createArticle(t.app, author, { title: 'Draft title' });
    return { author, followers, mailer, relay, outcomes, article };
  }

  it('advertises nothing once the article is deleted', async () => {
    const { author, mailer, relay, outcomes, article } = await fanOut();
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/articles/${article.slug}`,
      headers: author.headers,
    });
    expect(deleted.statusCode).toBe(204);
    await drain(relay);
    // The publish's delivery ends with nobody mailed; the delete's event is owed to no mailer.
    expect(outcomes).toEqual(['delivered']);
    expect(mailer.sent).toEqual([]);
  });

  it('tells the article as it reads now', async () => {
    const { author, mailer, relay, article } = await fanOut();
    const edited = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/articles/${article.slug}`,
      headers: author.headers,
      payload: { article: { title: 'Final title' } },
    });
    expect(edited.statusCode).toBe(200);
    const { slug } = edited.json<{ article: { slug: string } }>().article;
    await drain(relay);
    expect(mailer.sent).toHaveLength(2);
    for (const mail of mailer.sent) {
      expect(mail.subject).toBe(`New article by ${author.username}: Final title`);
      expect(mail.text).toContain(`/article/${slug}.`);
    }
  });

  it("links the article at the web app's address when APP_URL gives one", async () => {
    const { author } = await authorWithFollowers(1);
    const mailer = captureMailer();
    const notifications = createFollowerNotifications(
      createNotificationStore(t.db),
      mailer,
      'https://conduit.example',
    );
    const { relay } = testRelay(t.db, [notifications]);
    const article = await createArticle(t.app, author);
    await drain(relay);
    expect(mailer.sent.map((mail) => mail.text)).toEqual([
      expect.stringContaining(`Read it at https://conduit.example/article/${article.slug}.`),
    ]);
  });

  it('tells no suspended follower', async () => {
    const { followers, mailer, relay } = await fanOut();
    const [suspended, active] = followers;
    await t.db
      .update(usersTable)
      .set({ status: 'suspended' })
      .where(eq(usersTable.username, suspended?.username ?? ''));
    await drain(relay);
    expect(mailer.sent.map((mail) => mail.to)).toEqual([active?.email]);
  });
});

describe('a fan-out longer than a try', () => {
  it('is finished by as many tries as it takes, none counted towards the dead letters', async () => {
    const { author, followers } = await authorWithFollowers(5);
    // Each mail outlasts the delivery's time: a try mails one follower, then stops.
    const capture = captureMailer();
    const mailer = {
      send: async (mail: Parameters<typeof capture.send>[0]) => {
        await new Promise((resolve) => setTimeout(resolve, 250));
        await capture.send(mail);
      },
    };
    const notifications = createFollowerNotifications(createNotificationStore(t.db), mailer);
    // Five followers, one a try: more tries than the three a failing delivery gets.
    const { relay, outcomes } = testRelay(t.db, [notifications], {
      deliveryTimeoutMs: 200,
      maxAttempts: 3,
    });
    await createArticle(t.app, author);
    await drain(relay);

    expect(capture.sent.map((mail) => mail.to).sort()).toEqual(
      followers.map((follower) => follower.email).sort(),
    );
    expect(outcomes).toEqual(['unfinished', 'unfinished', 'unfinished', 'unfinished', 'delivered']);
    expect(await deliveries()).toEqual([]);
    expect(await listDeadLetters(t.db, 10)).toEqual([]);
  });
});

describe('follower notifications to a slow SMTP server', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp.close());

  /** Notifications over SMTP (nodemailer) to the test's server, each send given `timeoutMs`. */
  function smtpNotifications(timeoutMs: number) {
    const mailer = createSmtpMailer(
      smtp.url,
      'notify@conduit.test',
      timeoutMs,
      { warn: () => undefined },
      () => undefined,
    );
    return {
      notifications: createFollowerNotifications(createNotificationStore(t.db), mailer),
      close: () => {
        mailer.close();
      },
    };
  }

  it('waits for a send that outlasts its delivery, then settles it: one message, never a retry beside it', async () => {
    const { author, followers } = await authorWithFollowers(1);
    const { notifications, close } = smtpNotifications(30_000);
    // The delivery runs out of time long before the server answers the message.
    const { relay, outcomes } = testRelay(t.db, [notifications], { deliveryTimeoutMs: 50 });
    smtp.delayReplies(1_000);
    const before = smtp.received.length;
    let claimed: number;
    try {
      await createArticle(t.app, author);
      claimed = await drain(relay);
    } finally {
      smtp.delayReplies(0);
      close();
    }
    // The send went on past the delivery's time; nothing was settled, nor tried again, before
    // it ended and its follower was recorded as told.
    expect(smtp.received.slice(before).map((mail) => mail.to)).toEqual(
      followers.map((follower) => [follower.email]),
    );
    expect(claimed).toBe(1);
    expect(outcomes).toEqual(['delivered']);
    expect(await deliveries()).toEqual([]);
  });

  it('fails the try of a send that outlasts its own time, so the delivery stops within its lease', async () => {
    const { author } = await authorWithFollowers(1);
    const { notifications, close } = smtpNotifications(50);
    const { relay, outcomes } = testRelay(t.db, [notifications]);
    smtp.delayReplies(1_000);
    try {
      await createArticle(t.app, author);
      expect(await relay.runOnce()).toBe(1);
    } finally {
      smtp.delayReplies(0);
      close();
    }
    expect(outcomes).toEqual(['retried']);
    const [owed] = await deliveries();
    expect(owed).toMatchObject({ attempts: 1, lastError: 'AbortError: Message sending aborted' });
    await settleAll();
  });
});

describe('the relay', () => {
  it("delivers an aggregate's events in order, holding the rest of its line while one fails", async () => {
    await settleAll();
    let failFirst = true;
    const { consumer, delivered } = recordingConsumer('ordered', (committed) => {
      const first = failFirst && committed.event.aggregate.id === 901;
      failFirst &&= !first;
      return first;
    });
    await recordArticleEvents('ordered', 901, 3);
    await recordArticleEvents('ordered', 902, 2);
    const { relay, outcomes } = testRelay(t.db, [consumer]);

    // The first of 901 fails: 902's events go on, 901's others wait behind it.
    await relay.runOnce();
    expect(outcomes).toEqual(['retried', 'delivered']);
    await drain(relay);
    const order = (id: number) =>
      delivered
        .filter((committed) => committed.event.aggregate.id === id)
        .map((committed) => committed.sequence);
    expect(order(901)).toHaveLength(3);
    expect(order(901)).toEqual([...order(901)].sort((a, b) => a - b));
    expect(order(902)).toHaveLength(2);
    expect(order(902)).toEqual([...order(902)].sort((a, b) => a - b));
  });

  it('moves a delivery that keeps failing to the dead letters, and re-drives it on request', async () => {
    await settleAll();
    let broken = true;
    const { consumer, delivered } = recordingConsumer('fragile', () => broken);
    await recordArticleEvents('fragile', 903, 1);
    const { relay, outcomes } = testRelay(t.db, [consumer], { maxAttempts: 3 });
    await drain(relay);
    expect(outcomes).toEqual(['retried', 'retried', 'dead']);
    expect(await deliveries()).toEqual([]);
    const letter = (await listDeadLetters(t.db, 10)).find((dead) => dead.consumer === 'fragile');
    expect(letter).toMatchObject({
      consumer: 'fragile',
      eventType: 'article.favorited',
      aggregate: 'article:903',
      attempts: 3,
      lastError: 'Error: fragile refused',
    });

    broken = false;
    expect(await redriveDeadLetters(t.db, [letter?.id ?? 0])).toBe(1);
    expect(await listDeadLetters(t.db, 10)).not.toContainEqual(letter);
    await drain(relay);
    expect(delivered).toHaveLength(1);
    expect(await deliveries()).toEqual([]);
  });

  it('re-drives a dead letter to the back of its line, never beside a later event in flight', async () => {
    await settleAll();
    let refused = true;
    const inFlight = new Set<number>();
    let mostInFlight = 0;
    const started: number[] = [];
    const finished: number[] = [];
    let releaseSecond: (() => void) | undefined;
    const consumer: EventConsumer = {
      name: 'redriven',
      accepts: () => true,
      async deliver(committed) {
        const { userId } = committed.event.payload as { userId: number };
        if (userId === 0 && refused) throw new Error('first event refused');
        inFlight.add(committed.sequence);
        mostInFlight = Math.max(mostInFlight, inFlight.size);
        started.push(userId);
        // The second event is slow to deliver (a slow SMTP server, NATS under load).
        if (userId === 1) {
          await new Promise<void>((resolve) => {
            releaseSecond = resolve;
          });
        }
        inFlight.delete(committed.sequence);
        finished.push(userId);
      },
    };
    await recordArticleEvents('redriven', 911, 2);
    // The first event dies at its only try, which frees its line: relay A takes the second.
    const a = testRelay(t.db, [consumer], { maxAttempts: 1 });
    await a.relay.runOnce();
    expect(a.outcomes).toEqual(['dead']);
    refused = false;
    const running = a.relay.runOnce();
    await expect.poll(() => started).toEqual([1]);

    // Re-driven while the second is in flight: another relay finds nothing it may take.
    const [letter] = (await listDeadLetters(t.db, 10)).filter(
      (dead) => dead.consumer === 'redriven',
    );
    expect(await redriveDeadLetters(t.db, [letter?.id ?? 0])).toBe(1);
    const b = testRelay(t.db, [consumer]);
    expect(await b.relay.runOnce()).toBe(0);

    releaseSecond?.();
    await running;
    expect(await drain(b.relay)).toBe(1);
    expect(finished).toEqual([1, 0]);
    expect(mostInFlight).toBe(1);
  });

  it('re-drives a dead letter behind the later events of its aggregate still owed', async () => {
    await settleAll();
    let refused = true;
    const { consumer, delivered } = recordingConsumer(
      'requeued',
      (committed) => refused && (committed.event.payload as { userId: number }).userId === 0,
    );
    await recordArticleEvents('requeued', 912, 3);
    const { relay, outcomes } = testRelay(t.db, [consumer], { maxAttempts: 1 });
    await relay.runOnce();
    expect(outcomes).toEqual(['dead']);
    // Re-driven before the later two were delivered: they go first, it comes last.
    refused = false;
    const [letter] = (await listDeadLetters(t.db, 10)).filter(
      (dead) => dead.consumer === 'requeued',
    );
    expect(await redriveDeadLetters(t.db, [letter?.id ?? 0])).toBe(1);
    await drain(relay);
    expect(
      delivered.map((committed) => (committed.event.payload as { userId: number }).userId),
    ).toEqual([1, 2, 0]);
  });

  it('stops claiming for a consumer whose circuit opened, spending none of its tries', async () => {
    await settleAll();
    const { consumer } = recordingConsumer('down', () => true);
    for (let aggregate = 904; aggregate < 910; aggregate++) {
      await recordArticleEvents('down', aggregate, 1);
    }
    const { relay, outcomes } = testRelay(t.db, [consumer], {
      maxAttempts: 100,
      // Long enough that the claim right after the fifth failure still finds the circuit open.
      circuit: { failures: 5, halfOpenAfterMs: 2_000 },
    });
    const tries = async () =>
      (await deliveries()).reduce((sum, delivery) => sum + delivery.attempts, 0);
    // One batch: all six were claimed and tried before the fifth failure opened the circuit.
    await relay.runOnce();
    expect(outcomes).toEqual(Array.from({ length: 6 }, () => 'retried'));
    // Open: nothing is claimed for it, and its deliveries keep their tries.
    expect(await relay.runOnce()).toBe(0);
    expect(await tries()).toBe(6);
    // Half-open: one probe is tried (and fails); the rest are given back untried.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await relay.runOnce()).toBe(6);
    expect(outcomes.slice(6).sort()).toEqual([
      'released',
      'released',
      'released',
      'released',
      'released',
      'retried',
    ]);
    expect(await tries()).toBe(7);
  });

  it('wakes on a local commit and delivers without waiting for its poll', async () => {
    await settleAll();
    const { author } = await authorWithFollowers(1);
    // The event below announces this article, which the notification reads before mailing; the
    // publish's own delivery is settled, so only the event the recorder writes is owed.
    const article = await createArticle(t.app, author, { title: 'Woken' });
    await settleAll();
    const [row] = await t.db
      .select({ id: articlesTable.id })
      .from(articlesTable)
      .where(eq(articlesTable.slug, article.slug));
    const mailer = captureMailer();
    const notifications = createFollowerNotifications(createNotificationStore(t.db), mailer);
    const { relay } = testRelay(t.db, [notifications], { pollMs: 60_000 });
    const recorder = createOutboxRecorder(t.db, {
      consumersOf: () => ['notifications'],
      committed: () => {
        relay.wake();
      },
    });
    const authorId = (await idOf(author)) as UserId;
    relay.start();
    try {
      // Sleeping for a minute after its first (empty) poll, until the commit wakes it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await inUnitOfWork(t.db, () =>
        recorder.record({
          type: 'article.published',
          version: 1,
          aggregate: { type: 'article', id: row?.id ?? 0 },
          payload: {
            articleId: (row?.id ?? 0) as never,
            slug: article.slug as never,
            authorId,
            title: 'Woken',
            tagList: [],
          },
        }),
      );
      await expect.poll(() => mailer.sent.length, { timeout: 20_000 }).toBe(1);
    } finally {
      await relay.stop();
    }
  });
});

describe('the outbox in the running app', () => {
  it(
    "runs this instance's relay from ready to close: a publish reaches the followers by itself",
    async () => {
      const mailer = captureMailer();
      const running = await createTestApp(
        loadConfig({ ...TEST_ENVIRONMENT, OUTBOX_RELAY: 'on', OUTBOX_POLL_MS: '60000' }),
        undefined,
        { mailer },
      );
      try {
        const author = await registerUser(running.app);
        const reader = await registerUser(running.app);
        await running.app.inject({
          method: 'POST',
          url: `/api/v1/profiles/${author.username}/follow`,
          headers: reader.headers,
        });
        await createArticle(running.app, author, { title: 'Straight out' });
        // Woken by the commit, not by its minute-long poll.
        await expect
          .poll(() => mailer.sent.map((mail) => mail.to), { timeout: 20_000 })
          .toEqual([reader.email]);
      } finally {
        await running.close();
      }
    },
    OWN_APP_TIMEOUT_MS,
  );

  it('reports what is owed, how late, and what died, by consumer, on /metrics', async () => {
    await settleAll();
    const author = await registerUser(t.app);
    await createArticle(t.app, author);
    await recordArticleEvents('doomed', 930, 1);
    const doomed = recordingConsumer('doomed', () => true).consumer;
    await drain(testRelay(t.db, [doomed], { maxAttempts: 1 }).relay);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('outbox_pending{consumer="notifications"} 1');
    expect(metrics).toMatch(/outbox_lag_seconds\{consumer="notifications"\} \d/);
    expect(metrics).toContain('outbox_dead_letters{consumer="doomed"} 1');
  });

  it('reports a consumer owed nothing at 0, not as a missing series', async () => {
    await settleAll();
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('outbox_pending{consumer="notifications"} 0');
    expect(metrics).toContain('outbox_lag_seconds{consumer="notifications"} 0');
    expect(metrics).toContain('outbox_dead_letters{consumer="notifications"} 0');
  });

  it(
    'forgets delivered events after the retention period, never one still owed or dead',
    async () => {
      const fresh = await createTestApp();
      try {
        const author = await registerUser(fresh.app);
        await createArticle(fresh.app, author);
        await createArticle(fresh.app, author);
        // One publish stays owed to the notifications; one event dies at its consumer.
        const [owed] = await fresh.db.select().from(eventDeliveriesTable).limit(1);
        await fresh.db
          .delete(eventDeliveriesTable)
          .where(ne(eventDeliveriesTable.id, owed?.id ?? 0));
        const recorder = createOutboxRecorder(fresh.db, {
          consumersOf: () => ['doomed'],
          committed: () => undefined,
        });
        await inUnitOfWork(fresh.db, () =>
          recorder.record({
            type: 'user.password_changed',
            version: 1,
            aggregate: { type: 'user', id: 1 },
            payload: { userId: 1 as UserId },
          }),
        );
        const doomed = recordingConsumer('doomed', () => true).consumer;
        await drain(testRelay(fresh.db, [doomed], { maxAttempts: 1 }).relay);
        // sql: age every event past the retention period.
        await fresh.db
          .update(outboxEventsTable)
          .set({ occurredAt: sql`now() - interval '8 days'` });
        const all = (await outboxEvents(fresh.db)).map((event) => event.type);
        expect(all).toEqual([
          'user.registered',
          'article.published',
          'article.published',
          'user.password_changed',
        ]);

        expect(await forgetDeliveredEvents(fresh.db, 7)).toBe(2);
        expect((await outboxEvents(fresh.db)).map((event) => event.type).sort()).toEqual([
          'article.published',
          'user.password_changed',
        ]);
        // Within the retention period nothing goes.
        // sql: make the kept events recent again.
        await fresh.db.update(outboxEventsTable).set({ occurredAt: sql`now()` });
        await fresh.db.delete(eventDeliveriesTable);
        expect(await forgetDeliveredEvents(fresh.db, 7)).toBe(0);
      } finally {
        await fresh.close();
      }
    },
    OWN_APP_TIMEOUT_MS,
  );
});
