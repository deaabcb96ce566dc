import { randomUUID } from 'node:crypto';
import {
  and,
  asc,
  count,
  eq,
  inArray,
  isNull,
  lt,
  lte,
  min,
  notExists,
  or,
  sql,
} from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DomainEvent } from '../../../domain/shared/events.js';
import type { Backlog, Claim, DeliveryStore } from '../../events/delivery.js';
import type { Database } from '../database.js';
import { transaction } from '../transaction.js';
import { deadLettersTable, eventDeliveriesTable, outboxEventsTable } from '../schema/outbox.js';

const deliveries = eventDeliveriesTable;
const events = outboxEventsTable;

// sql: intervals on the database's clock, the one every relay shares.
const now = sql`now()`;
const later = (ms: number) => sql`now() + make_interval(secs => ${ms / 1000})`;

/** The outbox's delivery rows in PostgreSQL (spec.md §4.1). */
export function createDeliveryStore(database: Database): DeliveryStore {
  const ahead = alias(eventDeliveriesTable, 'ahead');
  const heldBy = (claim: Claim) =>
    and(eq(deliveries.id, claim.delivery), eq(deliveries.lease, claim.lease));

  return {
    async claim(consumers, limit, leaseMs) {
      if (consumers.length === 0) return [];
      const due = database
        .select({ id: deliveries.id })
        .from(deliveries)
        .where(
          and(
            inArray(deliveries.consumer, consumers),
            lte(deliveries.availableAt, now),
            or(isNull(deliveries.leasedUntil), lt(deliveries.leasedUntil, now)),
            // Only the head of each aggregate's line (in `id` order, so a re-driven delivery
            // waits behind the ones owed when it came back): the rest wait until it is settled,
            // whether it is in flight, waiting for a retry, or locked by another relay's claim.
            notExists(
              database
                .select({ id: ahead.id })
                .from(ahead)
                .where(
                  and(
                    eq(ahead.consumer, deliveries.consumer),
                    eq(ahead.aggregate, deliveries.aggregate),
                    lt(ahead.id, deliveries.id),
                  ),
                ),
            ),
          ),
        )
        .orderBy(asc(deliveries.eventSequence))
        .limit(limit)
        // Another relay's claim in progress is skipped, never waited for or taken twice.
        .for('update', { of: deliveries, skipLocked: true });
      const lease = randomUUID();
      const rows = await database
        .update(deliveries)
        .set({
          lease,
          leasedUntil: later(leaseMs),
          // sql: counted at the claim, so an event that kills its relay still runs out of tries.
          attempts: sql`${deliveries.attempts} + 1`,
        })
        .from(events)
        .where(and(inArray(deliveries.id, due), eq(events.sequence, deliveries.eventSequence)))
        .returning({
          delivery: deliveries.id,
          consumer: deliveries.consumer,
          attempts: deliveries.attempts,
          id: events.id,
          sequence: events.sequence,
          occurredAt: events.occurredAt,
          type: events.type,
          version: events.version,
          aggregateType: events.aggregateType,
          aggregateId: events.aggregateId,
          payload: events.payload,
        });
      return rows
        .sort((a, b) => a.sequence - b.sequence)
        .map((row) => ({
          delivery: row.delivery,
          lease,
          consumer: row.consumer,
          attempts: row.attempts,
          committed: {
            id: row.id,
            sequence: row.sequence,
            occurredAt: row.occurredAt,
            // The outbox holds only what the recorder wrote from a DomainEvent.
            event: {
              type: row.type,
              version: row.version,
              aggregate: { type: row.aggregateType, id: row.aggregateId },
              payload: row.payload,
            } as DomainEvent,
          },
        }));
    },

    async complete(claim) {
      await database.delete(deliveries).where(heldBy(claim));
    },

    async retryLater(claim, error, delayMs) {
      await database
        .update(deliveries)
        .set({ availableAt: later(delayMs), lease: null, leasedUntil: null, lastError: error })
        .where(heldBy(claim));
    },

    async release(claim) {
      await database
        .update(deliveries)
        // sql: the claim counted an attempt that never ran.
        .set({ lease: null, leasedUntil: null, attempts: sql`${deliveries.attempts} - 1` })
        .where(heldBy(claim));
    },

    async bury(claim, error) {
      await transaction(database, async (tx) => {
        const [moved] = await tx
          .delete(deliveries)
          .where(heldBy(claim))
          .returning({ eventSequence: deliveries.eventSequence, aggregate: deliveries.aggregate });
        // Re-claimed by another relay after our lease lapsed: theirs to settle.
        if (moved === undefined) return;
        await tx.insert(deadLettersTable).values({
          consumer: claim.consumer,
          eventSequence: moved.eventSequence,
          aggregate: moved.aggregate,
          attempts: claim.attempts,
          lastError: error,
        });
      });
    },

    async backlog() {
      const [owed, dead] = await Promise.all([
        database
          .select({
            consumer: deliveries.consumer,
            pending: count(),
            oldest: min(events.occurredAt),
          })
          .from(deliveries)
          .innerJoin(events, eq(events.sequence, deliveries.eventSequence))
          .groupBy(deliveries.consumer),
        database
          .select({ consumer: deadLettersTable.consumer, dead: count() })
          .from(deadLettersTable)
          .groupBy(deadLettersTable.consumer),
      ]);
      const consumers = new Set([
        ...owed.map((row) => row.consumer),
        ...dead.map((row) => row.consumer),
      ]);
      return [...consumers].map((consumer): Backlog => {
        const row = owed.find((candidate) => candidate.consumer === consumer);
        return {
          consumer,
          pending: row?.pending ?? 0,
          oldestSeconds: row?.oldest == null ? 0 : (Date.now() - row.oldest.getTime()) / 1000,
          dead: dead.find((candidate) => candidate.consumer === consumer)?.dead ?? 0,
        };
      });
    },
  };
}

/** Events deleted per statement, so a large backlog is removed in short transactions. */
const FORGET_BATCH = 5_000;

/**
 * Deletes the events older than `retentionDays` that no consumer is owed and no dead letter
 * names (their notification records go with them); the number deleted.
 */
export async function forgetDeliveredEvents(
  database: Database,
  retentionDays: number,
): Promise<number> {
  const forgettable = database
    .select({ sequence: events.sequence })
    .from(events)
    .where(
      and(
        // sql: the age cut-off on the database's clock, the one that wrote occurred_at.
        lt(events.occurredAt, sql`now() - make_interval(days => ${retentionDays})`),
        notExists(
          database
            .select({ id: deliveries.id })
            .from(deliveries)
            .where(eq(deliveries.eventSequence, events.sequence)),
        ),
        notExists(
          database
            .select({ id: deadLettersTable.id })
            .from(deadLettersTable)
            .where(eq(deadLettersTable.eventSequence, events.sequence)),
        ),
      ),
    )
    .limit(FORGET_BATCH);
  let total = 0;
  for (;;) {
    const deleted = await database
      .delete(events)
      .where(inArray(events.sequence, forgettable))
      .returning({ sequence: events.sequence });
    total += deleted.length;
    if (deleted.length < FORGET_BATCH) return total;
  }
}
