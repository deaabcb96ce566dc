import type { DomainEvent, EventRecorder } from '../../src/domain/shared/events.js';
import type { Atomic } from '../../src/domain/shared/transaction.js';

/**
 * For unit tests of the domain services: a unit of work and a recorder that keeps the events a
 * command commits. Like the outbox recorder, it refuses an event recorded outside the unit of
 * work, and a unit that throws keeps none of the events recorded in it.
 */
export function recordingEvents(): {
  atomic: Atomic;
  events: EventRecorder;
  recorded: DomainEvent[];
} {
  const recorded: DomainEvent[] = [];
  let open: DomainEvent[] | undefined;
  return {
    recorded,
    async atomic(work) {
      const pending: DomainEvent[] = [];
      open = pending;
      try {
        const result = await work();
        recorded.push(...pending);
        return result;
      } finally {
        open = undefined;
      }
    },
    events: {
      record(event) {
        if (open === undefined) throw new Error(`${event.type} recorded outside a unit of work`);
        open.push(event);
        return Promise.resolve();
      },
    },
  };
}
