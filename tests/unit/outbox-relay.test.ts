import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommittedEvent } from '../../src/domain/shared/events.js';
import type { ArticleId, UserId } from '../../src/domain/shared/ids.js';
import type { Slug } from '../../src/domain/shared/slug.js';
import { retryDelay } from '../../src/infrastructure/events/backoff.js';
import { toCloudEvent } from '../../src/infrastructure/events/cloud-event.js';

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
