import { desc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../database.js';
import { transaction } from '../transaction.js';
import {
  deadLettersTable as dead,
  eventDeliveriesTable,
  outboxEventsTable,
} from '../schema/outbox.js';

export interface DeadLetter {
  readonly id: number;
  readonly consumer: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly aggregate: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly diedAt: Date;
}

/** The dead letters, newest first, at most `limit`. */
export async function listDeadLetters(database: Database, limit: number): Promise<DeadLetter[]> {
  return database
    .select({
      id: dead.id,
      consumer: dead.consumer,
      eventId: outboxEventsTable.id,
      eventType: outboxEventsTable.type,
      aggregate: dead.aggregate,
      attempts: dead.attempts,
      lastError: dead.lastError,
      diedAt: dead.diedAt,
    })
    .from(dead)
    .innerJoin(outboxEventsTable, eq(outboxEventsTable.sequence, dead.eventSequence))
    .orderBy(desc(dead.diedAt), desc(dead.id))
    .limit(limit);
}

/**
 * Gives dead letters back to their consumers with a fresh set of tries, due at once: those named
 * by `ids`, or all of them. Each is a new delivery at the back of its aggregate's line, inserted in
 * event order: it arrives after the events of its aggregate delivered while it was dead and after
 * those still owed, in flight or not (spec.md §4.1). The number re-driven.
 */
export async function redriveDeadLetters(
  database: Database,
  ids: readonly number[] | 'all',
): Promise<number> {
  return transaction(database, async (tx) => {
    const taken = await tx
      .delete(dead)
      .where(ids === 'all' ? undefined : inArray(dead.id, [...ids]))
      .returning({
        consumer: dead.consumer,
        eventSequence: dead.eventSequence,
        aggregate: dead.aggregate,
      });
    if (taken.length === 0) return 0;
    await tx
      .insert(eventDeliveriesTable)
      .values(taken.sort((a, b) => a.eventSequence - b.eventSequence))
      // A delivery of the same event to the same consumer is already owed: it stays as it is.
      .onConflictDoNothing();
    return taken.length;
  });
}
