import { asc, eq } from 'drizzle-orm';
import type { Mail, Mailer } from '../../src/domain/notifications/ports.js';
import type { EventConsumer } from '../../src/domain/shared/events.js';
import type { ArticleId, UserId } from '../../src/domain/shared/ids.js';
import type { Database } from '../../src/infrastructure/db/database.js';
import { createDeliveryStore } from '../../src/infrastructure/db/outbox/delivery-store.js';
import { createOutboxRecorder } from '../../src/infrastructure/db/outbox/outbox-recorder.js';
import { outboxEventsTable } from '../../src/infrastructure/db/schema/outbox.js';
import { inUnitOfWork } from '../../src/infrastructure/db/unit-of-work.js';
import type { DeliveryStore } from '../../src/infrastructure/events/delivery.js';
import {
  createRelay,
  type DeliveryOutcome,
  type Relay,
  type RelayOptions,
} from '../../src/infrastructure/events/relay.js';

/** The mail transport of tests: keeps what would have been sent. */
export function captureMailer(): Mailer & { readonly sent: Mail[] } {
  const sent: Mail[] = [];
  return {
    sent,
    send(mail) {
      sent.push(mail);
      return Promise.resolve();
    },
  };
}

const quiet = { warn: () => undefined, error: () => undefined };

/**
 * A relay on `db` for `consumers` with test timing: no backoff, a short lease. `settled` counts
 * the outcomes; `store` may be wrapped to inject a fault.
 */
export function testRelay(
  db: Database,
  consumers: readonly EventConsumer[],
  options: Partial<RelayOptions> & { store?: DeliveryStore } = {},
): { relay: Relay; outcomes: DeliveryOutcome[] } {
  const outcomes: DeliveryOutcome[] = [];
  const relay = createRelay({
    store: createDeliveryStore(db),
    consumers,
    batchSize: 50,
    leaseMs: 60_000,
    pollMs: 10,
    maxAttempts: 5,
    deliveryTimeoutMs: 5_000,
    backoff: { baseMs: 0, maxMs: 0 },
    circuit: { failures: 5, halfOpenAfterMs: 60_000 },
    log: quiet,
    settled: (_consumer, outcome) => outcomes.push(outcome),
    ...options,
  });
  return { relay, outcomes };
}

/** Claims and settles batches until nothing is due; how many deliveries were claimed. */
export async function drain(relay: Relay): Promise<number> {
  let total = 0;
  for (let claimed = await relay.runOnce(); claimed > 0; claimed = await relay.runOnce()) {
    total += claimed;
  }
  return total;
}

/** The outbox as the tests read it: type, aggregate and payload of every event, oldest first. */
export async function outboxEvents(db: Database) {
  return db
    .select({
      type: outboxEventsTable.type,
      aggregateType: outboxEventsTable.aggregateType,
      aggregateId: outboxEventsTable.aggregateId,
      payload: outboxEventsTable.payload,
    })
    .from(outboxEventsTable)
    .orderBy(asc(outboxEventsTable.sequence));
}

/** The `article.published` event of the article `slug`: its id (the message id outside) and sequence. */
export async function publishedEvent(
  db: Database,
  slug: string,
): Promise<{ id: string; sequence: number }> {
  const published = await db
    .select({
      id: outboxEventsTable.id,
      sequence: outboxEventsTable.sequence,
      payload: outboxEventsTable.payload,
    })
    .from(outboxEventsTable)
    .where(eq(outboxEventsTable.type, 'article.published'));
  const event = published.find((row) => (row.payload as { slug?: unknown }).slug === slug);
  if (event === undefined) throw new Error(`no article.published event for ${slug}`);
  return { id: event.id, sequence: event.sequence };
}

/**
 * Records `perAggregate` favorites of each of `aggregates` articles (ids `firstId` on), owed to
 * `consumer`: one unit of work per round, each round one event per article, so the articles'
 * lines interleave as concurrent writers' would.
 */
export async function recordInterleaved(
  db: Database,
  consumer: string,
  {
    aggregates,
    perAggregate,
    firstId,
  }: { aggregates: number; perAggregate: number; firstId: number },
): Promise<void> {
  const recorder = createOutboxRecorder(db, {
    consumersOf: () => [consumer],
    committed: () => undefined,
  });
  for (let n = 0; n < perAggregate; n++) {
    await inUnitOfWork(db, async () => {
      for (let aggregate = 0; aggregate < aggregates; aggregate++) {
        const articleId = (firstId + aggregate) as ArticleId;
        await recorder.record({
          type: 'article.favorited',
          version: 1,
          aggregate: { type: 'article', id: articleId },
          payload: { articleId, userId: n as UserId },
        });
      }
    });
  }
}
