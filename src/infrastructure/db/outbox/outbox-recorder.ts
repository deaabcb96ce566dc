import { randomUUID } from 'node:crypto';
import type { EventRecorder, EventType } from '../../../domain/shared/events.js';
import type { Database } from '../database.js';
import { eventDeliveriesTable, outboxEventsTable } from '../schema/outbox.js';
import { afterCommit, openTransactionOn } from '../unit-of-work.js';

export interface OutboxRecorderOptions {
  /** The consumers that take events of `type`: each gets a delivery row with the event. */
  readonly consumersOf: (type: EventType) => readonly string[];
  /** Called once a recorded event has committed (wakes this instance's relay, if it has one). */
  readonly committed?: () => void;
}

/**
 * The transactional outbox's write side (spec.md §4.1): the event and one delivery per consumer,
 * in the transaction of the change. Outside a unit of work it throws instead of writing an
 * event for a change that may never commit.
 */
export function createOutboxRecorder(
  database: Database,
  { consumersOf, committed }: OutboxRecorderOptions,
): EventRecorder {
  return {
    async record(event) {
      const transaction = openTransactionOn(database);
      if (transaction === undefined) {
        throw new Error(`${event.type} recorded outside the transaction of its change`);
      }
      const [row] = await transaction
        .insert(outboxEventsTable)
        .values({
          id: randomUUID(),
          type: event.type,
          version: event.version,
          aggregateType: event.aggregate.type,
          aggregateId: event.aggregate.id,
          payload: event.payload,
        })
        .returning({ sequence: outboxEventsTable.sequence });
      if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
      const consumers = consumersOf(event.type);
      if (consumers.length === 0) return;
      const aggregate = `${event.aggregate.type}:${String(event.aggregate.id)}`;
      await transaction
        .insert(eventDeliveriesTable)
        .values(
          consumers.map((consumer) => ({ consumer, eventSequence: row.sequence, aggregate })),
        );
      if (committed === undefined) return;
      await afterCommit(() => {
        committed();
        return Promise.resolve();
      });
    },
  };
}
