import { asc, count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModerationNotices } from '../../src/domain/notifications/moderation-notices.js';
import { verifyAuditChain } from '../../src/infrastructure/db/audit/verify.js';
import { createNotificationStore } from '../../src/infrastructure/db/notifications/notification-store.js';
import { createSystemAdministration } from '../../src/infrastructure/db/identity/system-administration.js';
import { auditEventsTable } from '../../src/infrastructure/db/schema/audit.js';
import { outboxEventsTable } from '../../src/infrastructure/db/schema/outbox.js';
import type { DomainEvent } from '../../src/domain/shared/events.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { createTestApp, expectRefused, rowCounts, type TestApp } from '../helpers/app.js';
import {
  createArticle,
  registerUser,
  signInAgain,
  unique,
  type RegisteredUser,
} from '../helpers/factories.js';
import { captureMailer, drain, outboxEvents, testRelay } from '../helpers/outbox.js';

const mailer = captureMailer();
let t: TestApp;
let root: RegisteredUser;

function setRole(by: RegisteredUser, username: string, body: object) {
  return t.app.inject({
    method: 'PUT',
    url: `/api/v1/admin/accounts/${username}/role`,
    headers: by.headers,
    payload: body,
  });
}

function setStatus(by: RegisteredUser, username: string, body: object) {
  return t.app.inject({
    method: 'PUT',
    url: `/api/v1/admin/accounts/${username}/status`,
    headers: by.headers,
    payload: body,
  });
}

/** A new account with `role`, granted by `root` through the API; signed in again after. */
async function withRole(role: 'moderator' | 'admin'): Promise<RegisteredUser> {
  const user = await registerUser(t.app);
  expect((await setRole(root, user.username, { role, reason: 'staffing' })).statusCode).toBe(200);
  return signInAgain(t.app, user);
}

function me(user: RegisteredUser) {
  return t.app.inject({ method: 'GET', url: '/api/v1/user', headers: user.headers });
}

/** A read that may check the token against the account's cached standing (spec.md §5). */
async function feedStatus(user: RegisteredUser): Promise<number> {
  const response = await t.app.inject({
    method: 'GET',
    url: '/api/v1/articles/feed',
    headers: user.headers,
  });
  return response.statusCode;
}

async function auditEntries(action: string) {
  return t.db
    .select()
    .from(auditEventsTable)
    .where(eq(auditEventsTable.action, action))
    .orderBy(asc(auditEventsTable.sequence));
}

beforeAll(async () => {
  t = await createTestApp(undefined, undefined, { mailer });
  // The first admin, the way `npm run admin:grant` makes one.
  const first = await registerUser(t.app, unique('root'));
  await createSystemAdministration(t.db, []).changeRole('system', first.username, {
    role: 'admin',
    reason: 'bootstrap',
  });
  root = await signInAgain(t.app, first);
});
afterAll(() => t.close());

describe('the first admin', () => {
  it('is granted by the system, audited, and their earlier token revoked', async () => {
    const [entry] = await auditEntries('account.role_granted');
    expect(entry).toMatchObject({
      actor: 'system',
      role: 'admin',
      reason: 'bootstrap',
      requestId: null,
    });
    const [account] = await t.db
      .select({ role: usersTable.role, tokenVersion: usersTable.tokenVersion })
      .from(usersTable)
      .where(eq(usersTable.username, root.username));
    expect(account).toEqual({ role: 'admin', tokenVersion: 1 });
  });
});

describe('PUT /api/v1/admin/accounts/:username/role', () => {
  it('grants a role with a reason: audited, an event recorded, the old tokens refused', async () => {
    const user = await registerUser(t.app);
    expect(await feedStatus(user)).toBe(200);
    const response = await setRole(root, user.username, {
      role: 'moderator',
      reason: 'Helps with spam',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      account: { username: user.username, role: 'moderator', status: 'active' },
    });
    expect((await me(user)).statusCode).toBe(401);
    expect(await feedStatus(user)).toBe(401);
    expect((await me(await signInAgain(t.app, user))).statusCode).toBe(200);
    const [entry] = (await auditEntries('account.role_granted')).slice(-1);
    expect(entry).toMatchObject({
      actor: expect.stringMatching(/^user:\d+$/),
      role: 'moderator',
      reason: 'Helps with spam',
      requestId: expect.any(String),
    });
    expect((await outboxEvents(t.db)).at(-1)).toMatchObject({
      type: 'user.role_granted',
      payload: { role: 'moderator' },
    });
  });

  it('takes a role away with `user`, recording the role revoked', async () => {
    const moderator = await withRole('moderator');
    const response = await setRole(root, moderator.username, { role: 'user', reason: 'left' });
    expect(response.json()).toMatchObject({ account: { role: 'user' } });
    const [entry] = (await auditEntries('account.role_revoked')).slice(-1);
    expect(entry).toMatchObject({ role: 'moderator', reason: 'left' });
    expect((await outboxEvents(t.db)).at(-1)).toMatchObject({
      type: 'user.role_revoked',
      payload: { role: 'moderator' },
    });
  });

  it('changes nothing and records nothing when the account already has the role', async () => {
    const moderator = await withRole('moderator');
    const before = await rowCounts(t.db);
    const [audited] = await t.db.select({ n: count() }).from(auditEventsTable);
    const response = await setRole(root, moderator.username, { role: 'moderator', reason: 'x' });
    expect(response.statusCode).toBe(200);
    expect(await rowCounts(t.db)).toEqual(before);
    expect(await t.db.select({ n: count() }).from(auditEventsTable)).toEqual([audited]);
    expect((await me(moderator)).statusCode).toBe(200);
  });

  it('is for admins only: 403 for a moderator, 401 without a token', async () => {
    const moderator = await withRole('moderator');
    const user = await registerUser(t.app);
    await expectRefused(
      t,
      {
        method: 'PUT',
        url: `/api/v1/admin/accounts/${user.username}/role`,
        headers: moderator.headers,
        payload: { role: 'admin', reason: 'promote myself' },
      },
      403,
      'forbidden',
      { permission: ['forbidden'] },
    );
    await expectRefused(
      t,
      {
        method: 'PUT',
        url: `/api/v1/admin/accounts/${user.username}/role`,
        payload: { role: 'admin', reason: 'x' },
      },
      401,
      'token_missing',
      { token: ['is missing'] },
    );
  });

  it.each([
    ['no reason', { role: 'moderator' }, 'reason'],
    ['a blank reason', { role: 'moderator', reason: '  ' }, 'reason'],
    ['a reason too long', { role: 'moderator', reason: 'x'.repeat(501) }, 'reason'],
    ['an unknown role', { role: 'owner', reason: 'x' }, 'role'],
    ['an unknown field', { role: 'moderator', reason: 'x', note: 'y' }, 'note'],
    ['a wrong type', { role: 'moderator', reason: 42 }, 'reason'],
  ])('refuses %s with 422, changing nothing', async (_case, payload, field) => {
    const user = await registerUser(t.app);
    await expectRefused(
      t,
      {
        method: 'PUT',
        url: `/api/v1/admin/accounts/${user.username}/role`,
        headers: root.headers,
        payload,
      },
      422,
      'validation_failed',
      { [field]: expect.any(Array) },
    );
    expect((await me(user)).statusCode).toBe(200);
  });

  it('refuses malformed JSON (400) and another content type (415)', async () => {
    const user = await registerUser(t.app);
    const url = `/api/v1/admin/accounts/${user.username}/role`;
    const headers = { ...root.headers, 'content-type': 'application/json' };
    await expectRefused(
      t,
      { method: 'PUT', url, headers, payload: '{"role":' },
      400,
      'malformed_json',
      {
        body: expect.any(Array),
      },
    );
    await expectRefused(
      t,
      { method: 'PUT', url, headers: { ...headers, 'content-type': 'text/plain' }, payload: 'x' },
      415,
      'unsupported_media_type',
      { body: expect.any(Array) },
    );
  });

  it('answers 404 for an unknown or impossible username', async () => {
    for (const username of ['nobody_here', 'no%20such']) {
      await expectRefused(
        t,
        {
          method: 'PUT',
          url: `/api/v1/admin/accounts/${username}/role`,
          headers: root.headers,
          payload: { role: 'moderator', reason: 'x' },
        },
        404,
        'not_found',
        { profile: ['not found'] },
      );
    }
  });
});

describe('the last active admin', () => {
  it('cannot be demoted or suspended, yet an admin who is not the last can be', async () => {
    const other = await withRole('admin');
    // Two admins: one may step down.
    expect((await setRole(other, other.username, { role: 'user', reason: 'bye' })).statusCode).toBe(
      200,
    );
    const admins = await t.db
      .select({ username: usersTable.username })
      .from(usersTable)
      .where(eq(usersTable.role, 'admin'));
    expect(admins).toEqual([{ username: root.username }]);
    await expectRefused(
      t,
      {
        method: 'PUT',
        url: `/api/v1/admin/accounts/${root.username}/role`,
        headers: root.headers,
        payload: { role: 'moderator', reason: 'oops' },
      },
      409,
      'last_admin',
      { account: ['is the last active admin'] },
    );
    await expectRefused(
      t,
      {
        method: 'PUT',
        url: `/api/v1/admin/accounts/${root.username}/status`,
        headers: root.headers,
        payload: { status: 'suspended', reason: 'oops' },
      },
      409,
      'last_admin',
      { account: ['is the last active admin'] },
    );
    expect((await me(root)).statusCode).toBe(200);
  });
});

describe('PUT /api/v1/admin/accounts/:username/status', () => {
  it("suspends an account: its tokens stop at once, its logins are refused, until it's reinstated", async () => {
    const moderator = await withRole('moderator');
    const user = await registerUser(t.app);
    expect(await feedStatus(user)).toBe(200);
    const suspended = await setStatus(moderator, user.username, {
      status: 'suspended',
      reason: 'Abusive comments',
    });
    expect(suspended.json()).toEqual({
      account: { username: user.username, role: 'user', status: 'suspended' },
    });
    expect((await me(user)).statusCode).toBe(401);
    expect(await feedStatus(user)).toBe(401);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users/login',
      payload: { user: { email: user.email, password: user.password } },
    });
    expect(login.statusCode).toBe(403);
    expect(login.json()).toMatchObject({
      errors: { account: ['is suspended'] },
      error: { code: 'account_suspended' },
    });
    const reinstated = await setStatus(moderator, user.username, {
      status: 'active',
      reason: 'Appeal granted',
    });
    expect(reinstated.json()).toMatchObject({ account: { status: 'active' } });
    expect((await me(await signInAgain(t.app, user))).statusCode).toBe(200);
    const entries = [
      ...(await auditEntries('account.suspended')),
      ...(await auditEntries('account.reinstated')),
    ].filter((entry) => entry.reason === 'Abusive comments' || entry.reason === 'Appeal granted');
    expect(entries.map((entry) => entry.action)).toEqual([
      'account.suspended',
      'account.reinstated',
    ]);
  });

  it('lets only admins suspend staff: a moderator gets 403 for another moderator', async () => {
    const moderator = await withRole('moderator');
    const colleague = await withRole('moderator');
    await expectRefused(
      t,
      {
        method: 'PUT',
        url: `/api/v1/admin/accounts/${colleague.username}/status`,
        headers: moderator.headers,
        payload: { status: 'suspended', reason: 'rivalry' },
      },
      403,
      'forbidden',
      { account: ['forbidden'] },
    );
    expect(
      (await setStatus(root, colleague.username, { status: 'suspended', reason: 'r' })).statusCode,
    ).toBe(200);
  });

  it('is refused to a plain user (403)', async () => {
    const user = await registerUser(t.app);
    const target = await registerUser(t.app);
    await expectRefused(
      t,
      {
        method: 'PUT',
        url: `/api/v1/admin/accounts/${target.username}/status`,
        headers: user.headers,
        payload: { status: 'suspended', reason: 'x' },
      },
      403,
      'forbidden',
      { permission: ['forbidden'] },
    );
  });
});

describe('moderation', () => {
  it("removes anyone's article with a reason, and mails its author why", async () => {
    const moderator = await withRole('moderator');
    const author = await registerUser(t.app);
    const article = await createArticle(t.app, author, { tagList: [unique('tag')] });
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/articles/${article.slug}/removal`,
      headers: moderator.headers,
      payload: { reason: 'Spam links' },
    });
    expect(response.statusCode).toBe(204);
    const read = await t.app.inject({ method: 'GET', url: `/api/v1/articles/${article.slug}` });
    expect(read.statusCode).toBe(404);
    const tags = await t.app.inject({ method: 'GET', url: '/api/v1/tags' });
    expect(tags.json().tags).not.toContain(article.tagList[0]);
    const events = (await outboxEvents(t.db)).slice(-2);
    expect(events.map((event) => event.type)).toEqual([
      'article.deleted',
      'moderation.article_removed',
    ]);
    expect(events[1]?.payload).toMatchObject({ slug: article.slug, reason: 'Spam links' });
    const [entry] = (await auditEntries('moderation.article_removed')).slice(-1);
    expect(entry).toMatchObject({ reason: 'Spam links', actor: expect.stringMatching(/^user:/) });
  });

  it("removes anyone's comment with a reason", async () => {
    const moderator = await withRole('moderator');
    const author = await registerUser(t.app);
    const article = await createArticle(t.app, author);
    const added = await t.app.inject({
      method: 'POST',
      url: `/api/v1/articles/${article.slug}/comments`,
      headers: author.headers,
      payload: { comment: { body: 'Buy now' } },
    });
    const { id } = added.json<{ comment: { id: number } }>().comment;
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/articles/${article.slug}/comments/${String(id)}/removal`,
      headers: moderator.headers,
      payload: { reason: 'Advertising' },
    });
    expect(response.statusCode).toBe(204);
    const comments = await t.app.inject({
      method: 'GET',
      url: `/api/v1/articles/${article.slug}/comments`,
    });
    expect(comments.json().comments).toEqual([]);
    expect((await outboxEvents(t.db)).at(-1)).toMatchObject({
      type: 'moderation.comment_removed',
      payload: { commentId: id, reason: 'Advertising' },
    });
  });

  it('refuses a plain user (403), a missing reason (422), an unknown article (404)', async () => {
    const moderator = await withRole('moderator');
    const user = await registerUser(t.app);
    const article = await createArticle(t.app, user);
    const url = `/api/v1/admin/articles/${article.slug}/removal`;
    await expectRefused(
      t,
      { method: 'POST', url, headers: user.headers, payload: { reason: 'mine' } },
      403,
      'forbidden',
      { permission: ['forbidden'] },
    );
    await expectRefused(
      t,
      { method: 'POST', url, headers: moderator.headers, payload: {} },
      422,
      'validation_failed',
      { reason: expect.any(Array) },
    );
    await expectRefused(
      t,
      {
        method: 'POST',
        url: '/api/v1/admin/articles/no-such-article/removal',
        headers: moderator.headers,
        payload: { reason: 'x' },
      },
      404,
      'not_found',
      { article: ['not found'] },
    );
  });
});

describe('GET /api/v1/admin/audit-events', () => {
  function list(query: string, by = root) {
    return t.app.inject({
      method: 'GET',
      url: `/api/v1/admin/audit-events${query}`,
      headers: by.headers,
    });
  }

  it('lists the stream newest first, with the accounts it names', async () => {
    const response = await list('?limit=3');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.auditEvents).toHaveLength(3);
    const sequences = body.auditEvents.map((entry: { sequence: number }) => entry.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
    expect(body.next).toBe(sequences[2]);
  });

  it('pages with `before` through every entry exactly once', async () => {
    const [total] = await t.db.select({ n: count() }).from(auditEventsTable);
    const seen: number[] = [];
    let query = '?limit=4';
    for (;;) {
      const body = (await list(query)).json();
      seen.push(...body.auditEvents.map((entry: { sequence: number }) => entry.sequence));
      if (body.next === null) break;
      query = `?limit=4&before=${String(body.next)}`;
    }
    expect(seen).toHaveLength(total?.n ?? 0);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('filters by action, actor and subject, together', async () => {
    const bySystem = (await list('?actor=@system')).json().auditEvents;
    expect(bySystem).toEqual([
      expect.objectContaining({
        action: 'account.role_granted',
        actor: { type: 'system' },
        subject: { id: expect.any(Number), username: root.username },
        role: 'admin',
        reason: 'bootstrap',
      }),
    ]);
    const byRoot = (await list(`?actor=${root.username}&action=account.role_granted`)).json();
    expect(byRoot.auditEvents.length).toBeGreaterThan(0);
    for (const entry of byRoot.auditEvents) {
      expect(entry).toMatchObject({
        action: 'account.role_granted',
        actor: { type: 'user', username: root.username },
      });
    }
    const aboutRoot = (await list(`?subject=${root.username}`)).json().auditEvents;
    expect(
      aboutRoot.every(
        (entry: { subject: { username: string } }) => entry.subject.username === root.username,
      ),
    ).toBe(true);
    expect((await list('?subject=nobody_at_all')).json()).toEqual({ auditEvents: [], next: null });
  });

  it('is for admins only, and refuses filters out of bounds', async () => {
    const moderator = await withRole('moderator');
    expect((await list('', moderator)).statusCode).toBe(403);
    for (const query of [
      '?limit=0',
      '?limit=101',
      '?before=0',
      '?before=1.5',
      '?before=99999999999999999999',
      '?before=9007199254740993',
      '?action=nope',
    ]) {
      const response = await list(query);
      expect(response.statusCode, query).toBe(422);
    }
  });
});

describe('the audit stream after administration', () => {
  it('is still one intact chain', async () => {
    const verdict = await verifyAuditChain(t.db);
    expect(verdict.intact).toBe(true);
  });

  it('tells each author of removed content by mail, once, with the reason', async () => {
    const notices = createModerationNotices(createNotificationStore(t.db), mailer);
    const { relay } = testRelay(t.db, [notices]);
    await drain(relay);
    // A repeated delivery (at least once) of each removal mails nobody again.
    const removed = await t.db
      .select()
      .from(outboxEventsTable)
      .where(
        inArray(outboxEventsTable.type, [
          'moderation.article_removed',
          'moderation.comment_removed',
        ]),
      );
    expect(removed).toHaveLength(2);
    const sentOnce = mailer.sent.length;
    for (const row of removed) {
      const event = {
        type: row.type,
        version: row.version,
        aggregate: { type: row.aggregateType, id: row.aggregateId },
        payload: row.payload,
      } as DomainEvent;
      await notices.deliver(
        { id: row.id, sequence: row.sequence, occurredAt: row.occurredAt, event },
        new AbortController().signal,
      );
    }
    expect(mailer.sent).toHaveLength(sentOnce);
    const removals = await t.db
      .select({ n: count() })
      .from(auditEventsTable)
      .where(
        inArray(auditEventsTable.action, [
          'moderation.article_removed',
          'moderation.comment_removed',
        ]),
      );
    expect(mailer.sent).toHaveLength(removals[0]?.n ?? -1);
    expect(mailer.sent.map((mail) => mail.subject)).toEqual([
      expect.stringMatching(/^A moderator removed your article "/),
      expect.stringMatching(/^A moderator removed your comment on "/),
    ]);
    expect(mailer.sent[0]?.text).toContain('Their reason: Spam links');
    expect(mailer.sent[1]?.text).toContain('Their reason: Advertising');
  });
});
