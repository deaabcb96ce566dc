import type { AuditEntry, AuditTrail } from '../../src/domain/shared/audit.js';
import type { DomainEvent, EventRecorder } from '../../src/domain/shared/events.js';
import type { Atomic } from '../../src/domain/shared/transaction.js';

/**
 * For unit tests of the domain services: a unit of work, and a recorder and an audit trail that
 * keep what a command commits. Like the real ones, they refuse anything recorded outside the
 * unit of work, and a unit that throws keeps nothing recorded in it.
 */
export function recordingEvents(): {
  atomic: Atomic;
  events: EventRecorder;
  audit: AuditTrail;
  recorded: DomainEvent[];
  audited: AuditEntry[];
} {
  const recorded: DomainEvent[] = [];
  const audited: AuditEntry[] = [];
  let open: { events: DomainEvent[]; audit: AuditEntry[] } | undefined;
  const unit = (what: string) => {
    if (open === undefined) throw new Error(`${what} recorded outside a unit of work`);
    return open;
  };
  return {
    recorded,
    audited,
    async atomic(work) {
      const pending = { events: [], audit: [] };
      open = pending;
      try {
        const result = await work();
        recorded.push(...pending.events);
        audited.push(...pending.audit);
        return result;
      } finally {
        open = undefined;
      }
    },
    events: {
      record(event) {
        unit(event.type).events.push(event);
        return Promise.resolve();
      },
    },
    audit: {
      append(entry) {
        unit(entry.action).audit.push(entry);
        return Promise.resolve();
      },
    },
  };
}
