import type { CommittedEvent } from '../../domain/shared/events.js';

/** One consumer's delivery of one event, held by a relay under a lease until settled. */
export interface Claim {
  readonly delivery: number;
  /** Identifies this claim: a relay whose lease lapsed and was re-claimed can't settle it. */
  readonly lease: string;
  readonly consumer: string;
  /** Tries so far, this one included. */
  readonly attempts: number;
  readonly committed: CommittedEvent;
}

export interface Backlog {
  readonly consumer: string;
  readonly pending: number;
  /** Age of the oldest event still owed, in seconds (0 when nothing is owed). */
  readonly oldestSeconds: number;
  readonly dead: number;
}

/** Where deliveries wait (the outbox's delivery rows); see infrastructure/db/outbox. */
export interface DeliveryStore {
  /**
   * Leases up to `limit` deliveries of `consumers` that are due, each the head of its aggregate's
   * line for its consumer. Relays running at once never claim the same delivery.
   */
  claim(consumers: readonly string[], limit: number, leaseMs: number): Promise<Claim[]>;
  /** Delivered: the consumer owes nothing more for this event. */
  complete(claim: Claim): Promise<void>;
  /** Failed: due again after `delayMs`. */
  retryLater(claim: Claim, error: string, delayMs: number): Promise<void>;
  /**
   * Not tried (the consumer's circuit is open), or stopped part-way with work done: due again at
   * once, the attempt not counted.
   */
  release(claim: Claim): Promise<void>;
  /** Failed for the last time: moved to the dead letters. */
  bury(claim: Claim, error: string): Promise<void>;
  backlog(): Promise<Backlog[]>;
}
