import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import {
  eventDeliveriesTable,
  notificationSendsTable,
} from '../../src/infrastructure/db/schema/outbox.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { createTestApp, TEST_ENVIRONMENT, type TestApp } from '../helpers/app.js';
import { createArticle, registerUser, type RegisteredUser } from '../helpers/factories.js';
import { publishedEvent } from '../helpers/outbox.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

/**
 * Follower notifications sent by the app's own SMTP mailer (nodemailer on `SMTP_URL`, wired by
 * `buildApp`, driven by the app's relay) to a real SMTP server in this process, and read back as
 * they crossed the wire (spec.md §4.1).
 */

const SENDER = 'notify@conduit.test';
/** Long enough for a relay's retries on a busy machine; the tests wait on state, not on time. */
const SETTLED = { timeout: 30_000, interval: 50 };

let smtp: TestSmtpServer;
let t: TestApp;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp(
    loadConfig({
      ...TEST_ENVIRONMENT,
      SMTP_URL: smtp.url,
      MAIL_FROM: `Conduit <${SENDER}>`,
      OUTBOX_RELAY: 'on',
      // A commit wakes the relay; the poll paces only its retries.
      OUTBOX_POLL_MS: '50',
    }),
  );
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

async function follow(reader: RegisteredUser, author: RegisteredUser): Promise<void> {
  const response = await t.app.inject({
    method: 'POST',
    url: `/api/v1/profiles/${author.username}/follow`,
    headers: reader.headers,
  });
  expect(response.statusCode).toBe(200);
}

async function idOf(user: RegisteredUser): Promise<number> {
  const [row] = await t.db
    .select({ id: usersTable.id })
    .from(usersTable)
    .where(eq(usersTable.username, user.username));
  if (row === undefined) throw new Error(`no user ${user.username}`);
  return row.id;
}

/** The notification delivery still owed for an event, if any. */
async function owed(sequence: number) {
  const [row] = await t.db
    .select()
    .from(eventDeliveriesTable)
    .where(
      and(
        eq(eventDeliveriesTable.consumer, 'notifications'),
        eq(eventDeliveriesTable.eventSequence, sequence),
      ),
    );
  return row;
}

async function told(sequence: number): Promise<number> {
  const rows = await t.db
    .select()
    .from(notificationSendsTable)
    .where(eq(notificationSendsTable.eventSequence, sequence));
  return rows.length;
}

/** How many notification deliveries failed so far in this app: retried or dead. */
async function failedDeliveries(): Promise<number> {
  const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const counts = metrics.matchAll(
    /^outbox_deliveries_total\{consumer="notifications",outcome="(?:retried|dead)"\} (\d+)$/gm,
  );
  return [...counts].reduce((sum, [, count]) => sum + Number(count), 0);
}

describe('follower notifications over SMTP', () => {
  it('sends each follower a message of their own, from MAIL_FROM, with a stable Message-ID', async () => {
    const author = await registerUser(t.app);
    const followers = [await registerUser(t.app), await registerUser(t.app)];
    const bystander = await registerUser(t.app);
    for (const follower of followers) await follow(follower, author);
    const before = smtp.received.length;

    const article = await createArticle(t.app, author, { title: 'Dragons\r\nBcc: x@y.z' });
    const event = await publishedEvent(t.db, article.slug);
    await expect.poll(() => owed(event.sequence), SETTLED).toBeUndefined();

    const mails = smtp.received.slice(before);
    // One message per follower, in follower order; nobody else (the author, a bystander).
    expect(mails.map((mail) => mail.to)).toEqual(followers.map((follower) => [follower.email]));
    for (const [index, mail] of mails.entries()) {
      const follower = followers[index];
      if (follower === undefined) throw new Error('more mails than followers');
      expect(mail.accepted).toBe(true);
      expect(mail.from).toBe(SENDER);
      expect(mail.headers.get('from')).toEqual([`Conduit <${SENDER}>`]);
      expect(mail.headers.get('to')).toEqual([follower.email]);
      // The title's line break became a space inside the subject: no header of its own.
      expect(mail.headers.get('subject')).toEqual([
        `New article by ${author.username}: Dragons Bcc: x@y.z`,
      ]);
      expect(mail.headers.has('bcc')).toBe(false);
      expect(mail.headers.has('cc')).toBe(false);
      expect(mail.headers.get('message-id')).toEqual([
        `<${event.id}.${String(await idOf(follower))}@keel>`,
      ]);
      expect(mail.headers.get('content-type')?.[0]).toMatch(/^text\/plain/);
      expect(mail.body).toContain(`${author.username} published "Dragons Bcc: x@y.z".`);
      expect(mail.body).toContain(`/article/${article.slug}`);
      for (const someoneElse of [...followers, bystander, author]) {
        if (someoneElse !== follower) expect(mail.raw).not.toContain(someoneElse.email);
      }
    }
    expect(await told(event.sequence)).toBe(2);
  });

  it('mails a stored address as stored, never read as address syntax, and the followers after it', async () => {
    // Addresses that registration refuses now (spec.md §2.3) but an older row may hold.
    const author = await registerUser(t.app);
    const [commented, grouped, after] = [
      await registerUser(t.app),
      await registerUser(t.app),
      await registerUser(t.app),
    ];
    for (const follower of [commented, grouped, after]) await follow(follower, author);
    const stored = [`${after.email}(x)`, `${grouped.username}@example.test:`];
    for (const [index, follower] of [commented, grouped].entries()) {
      await t.db
        .update(usersTable)
        .set({ email: stored[index] })
        .where(eq(usersTable.username, follower.username));
    }
    const before = smtp.received.length;
    const failures = await failedDeliveries();

    const event = await publishedEvent(t.db, (await createArticle(t.app, author)).slug);
    await expect.poll(() => owed(event.sequence), SETTLED).toBeUndefined();

    // Sent as stored, the two are refused by the server (501, bad address syntax), for good:
    // read as address lists, `a@b.c(x)` was mailed to `a@b.c`, someone else's mailbox, and an
    // empty group failed the try, so no follower after it was ever mailed.
    const envelopes = smtp.received.slice(before).map((mail) => mail.to);
    expect(envelopes).toEqual([[after.email]]);
    expect(await told(event.sequence)).toBe(3);
    expect(await failedDeliveries()).toBe(failures);
  });

  it('keeps the delivery owed while the server refuses (451), then mails once, under one Message-ID', async () => {
    const author = await registerUser(t.app);
    const follower = await registerUser(t.app);
    await follow(follower, author);
    const before = smtp.received.length;
    smtp.refuseWith(451);

    const article = await createArticle(t.app, author);
    const event = await publishedEvent(t.db, article.slug);
    // A failed try: the delivery is not done, its error is kept, and it is due again later.
    await expect
      .poll(async () => (await owed(event.sequence))?.lastError, SETTLED)
      .toMatch(/\b451\b/);
    expect(await told(event.sequence)).toBe(0);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /outbox_deliveries_total\{consumer="notifications",outcome="retried"\} [1-9]/,
    );

    smtp.refuseWith(undefined);
    await expect.poll(() => owed(event.sequence), SETTLED).toBeUndefined();
    const mails = smtp.received.slice(before);
    expect(mails.filter((mail) => !mail.accepted).length).toBeGreaterThan(0);
    expect(mails.filter((mail) => mail.accepted)).toHaveLength(1);
    expect(mails.every((mail) => mail.to.join() === follower.email)).toBe(true);
    // Every try carried the same Message-ID, so a mail system can drop a repeat.
    expect(new Set(mails.flatMap((mail) => mail.headers.get('message-id')))).toEqual(
      new Set([`<${event.id}.${String(await idOf(follower))}@keel>`]),
    );
    expect(await told(event.sequence)).toBe(1);
  });
});

describe('a recipient the SMTP server refuses', () => {
  it('for good (550 5.1.1, or a bare 551): skipped, remembered and counted, the other followers mailed in one try', async () => {
    const author = await registerUser(t.app);
    const followers = [
      await registerUser(t.app),
      await registerUser(t.app),
      await registerUser(t.app),
      await registerUser(t.app),
    ];
    for (const follower of followers) await follow(follower, author);
    const [first, gone, moved, last] = followers;
    if (first === undefined || gone === undefined || moved === undefined || last === undefined) {
      throw new Error('four followers expected');
    }
    smtp.refuseRecipient(gone.email, { code: 550, text: '5.1.1 No such mailbox' });
    // A server that sends no enhanced status: the reply code alone names the mailbox.
    smtp.refuseRecipient(moved.email, { code: 551, text: 'User not local' });
    const before = smtp.received.length;
    const failedBefore = await failedDeliveries();
    try {
      const article = await createArticle(t.app, author);
      const event = await publishedEvent(t.db, article.slug);
      await expect.poll(() => owed(event.sequence), SETTLED).toBeUndefined();

      const mails = smtp.received.slice(before);
      expect(mails.map((mail) => mail.to)).toEqual([[first.email], [last.email]]);
      expect(mails.every((mail) => mail.accepted)).toBe(true);
      // Every follower is done with: a repeat of the event mails nobody again.
      expect(await told(event.sequence)).toBe(4);
      // In one try: no delivery failed meanwhile.
      expect(await failedDeliveries()).toBe(failedBefore);
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^mail_recipients_refused_total\{status="5\.1\.1"\} 1$/m);
      expect(metrics).toMatch(/^mail_recipients_refused_total\{status="551"\} 1$/m);
    } finally {
      smtp.refuseRecipient(gone.email, undefined);
      smtp.refuseRecipient(moved.email, undefined);
    }
  });

  it('by policy (550 5.7.1, relaying denied): the delivery stays owed, then mails once allowed', async () => {
    const author = await registerUser(t.app);
    const follower = await registerUser(t.app);
    await follow(follower, author);
    smtp.refuseRecipient(follower.email, { code: 550, text: '5.7.1 Relaying denied' });
    const before = smtp.received.length;

    const article = await createArticle(t.app, author);
    const event = await publishedEvent(t.db, article.slug);
    // The sender is misconfigured, not the address bad: retried like any failure.
    await expect
      .poll(async () => (await owed(event.sequence))?.lastError, SETTLED)
      .toMatch(/5\.7\.1/);
    expect(await told(event.sequence)).toBe(0);

    smtp.refuseRecipient(follower.email, undefined);
    await expect.poll(() => owed(event.sequence), SETTLED).toBeUndefined();
    expect(smtp.received.slice(before).map((mail) => mail.to)).toEqual([[follower.email]]);
    expect(await told(event.sequence)).toBe(1);
  });
});
