import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createFollowerNotifications } from '../../src/domain/notifications/follower-notifications.js';
import { createModerationNotices } from '../../src/domain/notifications/moderation-notices.js';
import type { Mail, NotificationStore } from '../../src/domain/notifications/ports.js';
import {
  DeliveryUnfinished,
  type CommittedEvent,
  type EventConsumer,
} from '../../src/domain/shared/events.js';
import type { ArticleId, CommentId, UserId } from '../../src/domain/shared/ids.js';
import type { Reason } from '../../src/domain/shared/reason.js';
import type { Slug } from '../../src/domain/shared/slug.js';
import type { Username } from '../../src/domain/shared/username.js';
import { retryDelay } from '../../src/infrastructure/events/backoff.js';
import { toCloudEvent } from '../../src/infrastructure/events/cloud-event.js';
import type { Claim, DeliveryStore } from '../../src/infrastructure/events/delivery.js';
import { createRelay, type DeliveryOutcome } from '../../src/infrastructure/events/relay.js';

describe('retryDelay', () => {
  it('waits between half and all of min(max, base·2^(n−1)), whatever the random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (baseMs, maxMs, attempts, draw) => {
          const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempts - 1, 30));
          const delay = retryDelay({ baseMs, maxMs }, attempts, () => draw);
          expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(Number.isFinite(delay)).toBe(true);
        },
      ),
    );
  });

  it('doubles with each try until the cap', () => {
    const lowest = (attempts: number) =>
      retryDelay({ baseMs: 1_000, maxMs: 300_000 }, attempts, () => 0);
    expect([1, 2, 3, 4, 9, 10, 50].map(lowest)).toEqual([
      500, 1_000, 2_000, 4_000, 128_000, 150_000, 150_000,
    ]);
  });
});

describe('toCloudEvent', () => {
  it('maps a committed event to CloudEvents 1.0 structured JSON', () => {
    const committed: CommittedEvent = {
      id: '0b9f1c1e-6a8e-4c61-9d3c-2f6f2a1e8e11',
      sequence: 7,
      occurredAt: new Date('2026-11-26T10:00:00.000Z'),
      event: {
        type: 'article.favorited',
        version: 1,
        aggregate: { type: 'article', id: 12 },
        payload: { articleId: 12 as ArticleId, userId: 3 as UserId },
      },
    };
    expect(toCloudEvent(committed)).toEqual({
      specversion: '1.0',
      id: '0b9f1c1e-6a8e-4c61-9d3c-2f6f2a1e8e11',
      source: '/keel',
      type: 'keel.article.favorited.v1',
      subject: 'article/12',
      time: '2026-11-26T10:00:00.000Z',
      datacontenttype: 'application/json',
      data: { articleId: 12, userId: 3 },
    });
    expect(
      toCloudEvent({
        ...committed,
        event: {
          type: 'article.deleted',
          version: 1,
          aggregate: { type: 'article', id: 12 },
          payload: { articleId: 12 as ArticleId, slug: 'gone' as Slug, authorId: 3 as UserId },
        },
      }).type,
    ).toBe('keel.article.deleted.v1');
  });
});

const published: CommittedEvent = {
  id: '5d0c8a4e-2f0b-4d8e-9a57-0e1f2a3b4c5d',
  sequence: 1,
  occurredAt: new Date('2026-11-26T10:00:00.000Z'),
  event: {
    type: 'article.favorited',
    version: 1,
    aggregate: { type: 'article', id: 1 },
    payload: { articleId: 1 as ArticleId, userId: 2 as UserId },
  },
};

/** A store that hands out one claim of `consumer`'s, then nothing; `settles` lists its settles. */
function oneClaimStore(consumer: string): DeliveryStore & { readonly settles: string[] } {
  const claim: Claim = { delivery: 1, lease: 'lease', consumer, attempts: 1, committed: published };
  const settles: string[] = [];
  let claimed = false;
  const settle = (name: string) => () => {
    settles.push(name);
    return Promise.resolve();
  };
  return {
    settles,
    claim: () => {
      const claims = claimed ? [] : [claim];
      claimed = true;
      return Promise.resolve(claims);
    },
    complete: settle('complete'),
    retryLater: settle('retryLater'),
    release: settle('release'),
    bury: settle('bury'),
    backlog: () => Promise.resolve([]),
  };
}

/** A relay of `consumer` alone on `store`, with a short delivery time; its outcomes and log. */
function relayOf(
  consumer: EventConsumer,
  store: DeliveryStore,
  leaseMs = 60_000,
  deliveryTimeoutMs = 10,
) {
  const outcomes: DeliveryOutcome[] = [];
  const log = { warn: vi.fn(), error: vi.fn() };
  const relay = createRelay({
    store,
    consumers: [consumer],
    batchSize: 10,
    leaseMs,
    pollMs: 10,
    maxAttempts: 5,
    deliveryTimeoutMs,
    backoff: { baseMs: 0, maxMs: 0 },
    circuit: { failures: 5, halfOpenAfterMs: 60_000 },
    log,
    settled: (_consumer, outcome) => outcomes.push(outcome),
  });
  return { relay, outcomes, log };
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}

interface Step {
  /** The delivery's signal. */
  readonly signal: AbortSignal;
  /** Ends the step; the consumer then stops, as the signal says. */
  finish(): void;
}

/** A consumer whose one step lasts until the test ends it, however long the delivery's time. */
function slowConsumer(): { consumer: EventConsumer; started: Promise<Step> } {
  let start: (step: Step) => void = () => undefined;
  const started = new Promise<Step>((resolve) => {
    start = resolve;
  });
  const consumer: EventConsumer = {
    name: 'slow',
    accepts: () => true,
    async deliver(_committed, signal) {
      await new Promise<void>((finish) => {
        start({
          signal,
          finish: () => {
            finish();
          },
        });
      });
      signal.throwIfAborted();
    },
  };
  return { consumer, started };
}

describe('the relay, when a delivery runs out of time', () => {
  it('aborts its signal, waits for the step in flight to end, and only then retries it', async () => {
    const store = oneClaimStore('slow');
    const slow = slowConsumer();
    const { relay, outcomes } = relayOf(slow.consumer, store);
    const run = relay.runOnce();
    const step = await slow.started;
    await aborted(step.signal);
    // Time for a settle the relay should not make while the step is still running.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.settles).toEqual([]);

    step.finish();
    expect(await run).toBe(1);
    expect(store.settles).toEqual(['retryLater']);
    expect(outcomes).toEqual(['retried']);
  });

  it('aborts the signal of a delivery in flight when it stops, and settles it once it has', async () => {
    const store = oneClaimStore('slow');
    const slow = slowConsumer();
    // All the time in the world: only the stop can abort it.
    const { relay, outcomes } = relayOf(slow.consumer, store, 60_000, 60_000);
    relay.start();
    const step = await slow.started;
    const stopped = relay.stop();
    expect(step.signal.aborted).toBe(true);
    step.finish();
    await stopped;
    expect(store.settles).toEqual(['retryLater']);
    expect(outcomes).toEqual(['retried']);
  });

  it('settles as delivered a delivery whose consumer finished its work after the time was up', async () => {
    const store = oneClaimStore('late');
    const consumer: EventConsumer = {
      name: 'late',
      accepts: () => true,
      deliver: (_committed, signal) => aborted(signal),
    };
    const { relay, outcomes, log } = relayOf(consumer, store);
    expect(await relay.runOnce()).toBe(1);
    expect(store.settles).toEqual(['complete']);
    expect(outcomes).toEqual(['delivered']);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('warns of a delivery that ran past its lease, which another relay may have taken meanwhile', async () => {
    const store = oneClaimStore('slow');
    const slow = slowConsumer();
    const { relay, log } = relayOf(slow.consumer, store, 20);
    const run = relay.runOnce();
    const step = await slow.started;
    await aborted(step.signal);
    // Past the lease (20 ms) before the step ends.
    await new Promise((resolve) => setTimeout(resolve, 50));
    step.finish();
    await run;
    expect(log.warn).toHaveBeenCalledWith(
      expect.objectContaining({ consumer: 'slow', event: published.id }),
      'event delivery outlived its lease',
    );
  });
});

describe('the relay, when a consumer stops part-way', () => {
  it('gives the delivery back untried, however often, and keeps its circuit closed', async () => {
    const settles: string[] = [];
    const store: DeliveryStore = {
      ...oneClaimStore('partial'),
      // A claim on every call: the same long fan-out, tried again and again.
      claim: () =>
        Promise.resolve([
          { delivery: 1, lease: 'lease', consumer: 'partial', attempts: 1, committed: published },
        ]),
      release: () => {
        settles.push('release');
        return Promise.resolve();
      },
    };
    const consumer: EventConsumer = {
      name: 'partial',
      accepts: () => true,
      deliver: () => Promise.reject(new DeliveryUnfinished()),
    };
    const { relay, outcomes, log } = relayOf(consumer, store);
    // More tries than both the circuit's five failures and the five attempts of a failing one.
    for (let run = 0; run < 8; run++) await relay.runOnce();
    expect(settles).toEqual(Array(8).fill('release'));
    expect(outcomes).toEqual(Array(8).fill('unfinished'));
    expect(log.warn).not.toHaveBeenCalled();
  });
});

describe('the mail consumers, out of time', () => {
  const author = { id: 2 as UserId, email: 'author@example.com', username: 'author' as Username };
  /** Everyone is still to be told: the author, and one follower of theirs. */
  const untold: NotificationStore = {
    username: () => Promise.resolve(author.username),
    headline: () => Promise.resolve({ title: 'Dragons', slug: 'dragons' as Slug }),
    untold: (_sequence, _authorId, after) =>
      Promise.resolve(
        after === undefined ? [{ id: 3 as UserId, email: 'reader@example.com' }] : [],
      ),
    told: () => Promise.resolve(),
    untoldAccount: () => Promise.resolve(author),
  };
  const payload = {
    articleId: 1 as ArticleId,
    slug: 'dragons' as Slug,
    authorId: author.id,
    moderatorId: 4 as UserId,
  };
  const events: CommittedEvent[] = [
    {
      ...published,
      event: {
        type: 'article.published',
        version: 1,
        aggregate: { type: 'article', id: 1 },
        payload: { ...payload, title: 'Dragons', tagList: [] },
      },
    },
    {
      ...published,
      event: {
        type: 'moderation.comment_removed',
        version: 1,
        aggregate: { type: 'comment', id: 5 },
        payload: { ...payload, commentId: 5 as CommentId, reason: 'Spam.' as Reason },
      },
    },
  ];

  it('starts no send once the delivery has run out of time', async () => {
    const sent: Mail[] = [];
    const mailer = {
      send: (mail: Mail) => {
        sent.push(mail);
        return Promise.resolve();
      },
    };
    const consumers = [
      createFollowerNotifications(untold, mailer),
      createModerationNotices(untold, mailer),
    ];
    for (const [index, consumer] of consumers.entries()) {
      const committed = events[index];
      if (committed === undefined) throw new Error('an event per consumer');
      await expect(consumer.deliver(committed, AbortSignal.abort())).rejects.toMatchObject({
        name: 'AbortError',
      });
      await consumer.deliver(committed, new AbortController().signal);
    }
    // Mailed only when there was time: the follower, then the author.
    expect(sent.map((mail) => mail.to)).toEqual(['reader@example.com', author.email]);
  });
});
