import { Counter, Gauge, type Registry } from 'prom-client';
import type { Backlog } from './delivery.js';
import type { DeliveryOutcome } from './relay.js';

/**
 * Adds the relay's metrics to `registry`: `outbox_deliveries_total{consumer,outcome}` counted by
 * this instance, and, read from the database at each scrape (the same for every instance),
 * `outbox_pending`, `outbox_lag_seconds` (age of the oldest event still owed) and
 * `outbox_dead_letters`, each by consumer: every one of `consumers`, at 0 when it is owed nothing,
 * and any other the database still names (the dead letters of a consumer no longer configured).
 * A scrape whose read fails (the database is down) has no sample of these three and every other
 * metric as usual. Returns what the relay reports a settled delivery to.
 */
export function registerOutboxMetrics(
  registry: Registry,
  consumers: readonly string[],
  backlog: () => Promise<Backlog[]>,
  log: { warn(details: object, message: string): void },
): (consumer: string, outcome: DeliveryOutcome) => void {
  const settled = new Counter({
    name: 'outbox_deliveries_total',
    help: 'Event deliveries settled by this instance: delivered, unfinished (given back part-done, out of time), retried, dead (to the dead letters) or released (circuit open)',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [registry],
  });
  // Logged once when reading starts failing, not on every scrape of the outage.
  let failing = false;
  // One query per scrape feeds all three gauges; `undefined` when it failed.
  let reading: Promise<Backlog[] | undefined> | undefined;
  const read = (): Promise<Backlog[] | undefined> => {
    reading ??= backlog()
      .then(
        (rows) => {
          failing = false;
          return rows;
        },
        (error: unknown) => {
          if (!failing) {
            log.warn({ err: error }, 'outbox backlog unreadable: its gauges left out of /metrics');
          }
          failing = true;
          return undefined;
        },
      )
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  const gauge = (name: string, help: string, value: (row: Backlog) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['consumer'] as const,
      registers: [registry],
      async collect() {
        // Without a fresh read the gauge has no sample rather than its last one: a backlog frozen
        // at the start of an outage would pass for the current one, while a missing sample is
        // marked stale by Prometheus; the outage itself shows in readiness and the 503s.
        this.reset();
        const rows = await read();
        if (rows === undefined) return;
        // The backlog has rows only for consumers owed something or with dead letters.
        for (const consumer of consumers) this.set({ consumer }, 0);
        for (const row of rows) this.set({ consumer: row.consumer }, value(row));
      },
    });
  gauge('outbox_pending', 'Event deliveries still owed, by consumer', (row) => row.pending);
  gauge(
    'outbox_lag_seconds',
    'Age of the oldest event a consumer is still owed (0 when none)',
    (row) => row.oldestSeconds,
  );
  gauge('outbox_dead_letters', 'Deliveries that ran out of tries, by consumer', (row) => row.dead);
  return (consumer, outcome) => {
    settled.inc({ consumer, outcome });
  };
}
