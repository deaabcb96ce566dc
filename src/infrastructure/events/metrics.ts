import { Counter, Gauge, type Registry } from 'prom-client';
import type { Backlog } from './delivery.js';
import type { DeliveryOutcome } from './relay.js';

/**
 * Adds the relay's metrics to `registry`: `outbox_deliveries_total{consumer,outcome}` counted by
 * this instance, and, read from the database at each scrape (the same for every instance),
 * `outbox_pending`, `outbox_lag_seconds` (age of the oldest event still owed) and
 * `outbox_dead_letters`, each by consumer. Returns what the relay reports a settled delivery to.
 */
export function registerOutboxMetrics(
  registry: Registry,
  backlog: () => Promise<Backlog[]>,
): (consumer: string, outcome: DeliveryOutcome) => void {
  const settled = new Counter({
    name: 'outbox_deliveries_total',
    help: 'Event deliveries settled by this instance: delivered, retried, dead (to the dead letters) or released (circuit open)',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [registry],
  });
  // One query per scrape feeds all three gauges.
  let reading: Promise<Backlog[]> | undefined;
  const read = (): Promise<Backlog[]> => {
    reading ??= backlog().finally(() => {
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
        this.reset();
        for (const row of await read()) this.set({ consumer: row.consumer }, value(row));
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
