import type { Registry } from 'prom-client';
import type { EventRecorder, EventConsumer, EventType } from '../../domain/shared/events.js';
import type { Database } from '../db/database.js';
import { createDeliveryStore } from '../db/outbox/delivery-store.js';
import { createOutboxRecorder } from '../db/outbox/outbox-recorder.js';
import { registerOutboxMetrics } from './metrics.js';
import { createRelay, type Relay, type RelayOptions } from './relay.js';

/** The relay's timing; spec.md §4.1 says why each is what it is. */
export const RELAY_TIMING = {
  batchSize: 50,
  backoff: { baseMs: 1_000, maxMs: 5 * 60_000 },
  circuit: { failures: 5, halfOpenAfterMs: 10_000 },
} as const;

/** The names of the `consumers` that take events of a type: each gets a delivery of one. */
export function consumersOf(
  consumers: readonly EventConsumer[],
): (type: EventType) => readonly string[] {
  return (type) =>
    consumers.filter((consumer) => consumer.accepts(type)).map((consumer) => consumer.name);
}

export interface OutboxOptions {
  readonly consumers: readonly EventConsumer[];
  readonly pollMs: number;
  /** How long a claim is the relay's (`OUTBOX_LEASE_MS`). */
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly registry: Registry;
  readonly log: RelayOptions['log'];
}

export interface Outbox {
  readonly recorder: EventRecorder;
  readonly relay: Relay;
}

/**
 * The transactional outbox on `database`: the recorder the services write events with, and this
 * instance's relay to the consumers (started by whoever owns the process).
 */
export function createOutbox(database: Database, options: OutboxOptions): Outbox {
  const store = createDeliveryStore(database);
  const relay = createRelay({
    ...RELAY_TIMING,
    store,
    consumers: options.consumers,
    pollMs: options.pollMs,
    leaseMs: options.leaseMs,
    // Half the lease: the step in flight then has the other half to end in before another
    // relay may take the delivery.
    deliveryTimeoutMs: options.leaseMs / 2,
    maxAttempts: options.maxAttempts,
    log: options.log,
    settled: registerOutboxMetrics(
      options.registry,
      options.consumers.map((consumer) => consumer.name),
      () => store.backlog(),
      options.log,
    ),
  });
  const recorder = createOutboxRecorder(database, {
    consumersOf: consumersOf(options.consumers),
    committed: () => {
      relay.wake();
    },
  });
  return { recorder, relay };
}
