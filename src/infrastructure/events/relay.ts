import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { DeliveryUnfinished, type EventConsumer } from '../../domain/shared/events.js';
import { retryDelay, type Backoff } from './backoff.js';
import type { Claim, DeliveryStore } from './delivery.js';

export type DeliveryOutcome = 'delivered' | 'unfinished' | 'retried' | 'dead' | 'released';

export interface RelayOptions {
  readonly store: DeliveryStore;
  readonly consumers: readonly EventConsumer[];
  readonly batchSize: number;
  /** How long a claim is this relay's; a relay that dies loses its claims after this. */
  readonly leaseMs: number;
  /** Sleep between polls when nothing was due (a local commit wakes the relay sooner). */
  readonly pollMs: number;
  /** A delivery that fails this many times goes to the dead letters. */
  readonly maxAttempts: number;
  /**
   * After this long a delivery's signal aborts: its consumer starts no further step, and the
   * delivery is settled once the step in flight has ended. Half the lease, so that step has the
   * other half to end in before another relay may take the delivery.
   */
  readonly deliveryTimeoutMs: number;
  readonly backoff: Backoff;
  /** Consecutive failures that open a consumer's circuit, and how long it stays open before a probe. */
  readonly circuit: { readonly failures: number; readonly halfOpenAfterMs: number };
  readonly log: {
    warn(details: object, message: string): void;
    error(details: object, message: string): void;
  };
  readonly settled: (consumer: string, outcome: DeliveryOutcome) => void;
}

export interface Relay {
  /** Polls until stopped. */
  start(): void;
  /** Something committed: poll now instead of after the sleep. */
  wake(): void;
  /** Stops polling and waits for the batch in hand to be settled. */
  stop(): Promise<void>;
  /** Claims one batch, delivers it and settles it; the number of deliveries claimed. */
  runOnce(): Promise<number>;
}

function describe(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(
    0,
    1000,
  );
}

/**
 * The outbox relay (spec.md §4.1): claims due deliveries (several relays may run, one per
 * instance; a claim is never taken twice), hands each to its consumer with a time limit and
 * behind a circuit breaker, and settles it once the consumer has stopped: delivered, retried
 * after a backoff, or dead after `maxAttempts`. A consumer whose circuit is open is not claimed
 * for at all, so an outage spends no tries: its events wait in the outbox.
 */
export function createRelay(options: RelayOptions): Relay {
  const { store, consumers, log, settled } = options;
  const guarded = new Map<
    string,
    { consumer: EventConsumer; breaker: CircuitBreakerPolicy; isOpen(): boolean }
  >(
    consumers.map((consumer) => {
      const breaker = circuitBreaker(handleAll, {
        halfOpenAfter: options.circuit.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.circuit.failures),
      });
      let openedAt = 0;
      breaker.onBreak(() => {
        openedAt = Date.now();
        log.warn({ consumer: consumer.name }, 'event consumer failing: its deliveries wait');
      });
      return [
        consumer.name,
        {
          consumer,
          breaker,
          // The breaker turns half-open only when called: once its time is up, claim again so
          // that one delivery can probe the consumer (the others are released untried).
          isOpen: () =>
            breaker.state === CircuitState.Open &&
            Date.now() - openedAt < options.circuit.halfOpenAfterMs,
        },
      ];
    }),
  );

  /**
   * One try of `claim`, over only when its consumer has stopped: the time limit aborts the
   * consumer's signal but abandons nothing, since a step in flight (a mail being sent) goes on
   * whether awaited or not, and a retry settled beside it would repeat it. `unfinished` when the
   * consumer stopped for its signal with part of the work done: no failure of the consumer's.
   */
  async function attempt(
    consumer: EventConsumer,
    claim: Claim,
    claimedAt: number,
  ): Promise<'done' | 'unfinished'> {
    try {
      // Out of time, or the relay stopping (a shutdown should not wait out the time of a fan-out).
      const signal = AbortSignal.any([AbortSignal.timeout(options.deliveryTimeoutMs), halt.signal]);
      await consumer.deliver(claim.committed, signal);
      return 'done';
    } catch (error) {
      if (error instanceof DeliveryUnfinished) return 'unfinished';
      throw error;
    } finally {
      const ranMs = Date.now() - claimedAt;
      // A step outlasted the half of the lease it has: another relay may have claimed the
      // delivery meanwhile and run it beside this try. The consumer's timeouts are too long.
      if (ranMs >= options.leaseMs) {
        log.warn(
          { consumer: claim.consumer, event: claim.committed.id, ranMs },
          'event delivery outlived its lease',
        );
      }
    }
  }

  async function settle(claim: Claim, claimedAt: number): Promise<DeliveryOutcome> {
    const target = guarded.get(claim.consumer);
    if (target === undefined) throw new Error(`claimed for unknown consumer ${claim.consumer}`);
    let ended: 'done' | 'unfinished';
    try {
      ended = await target.breaker.execute(() => attempt(target.consumer, claim, claimedAt));
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        await store.release(claim);
        return 'released';
      }
      const details = { consumer: claim.consumer, event: claim.committed.id, err: error };
      if (claim.attempts >= options.maxAttempts) {
        log.error(details, 'event delivery failed for the last time: moved to the dead letters');
        await store.bury(claim, describe(error));
        return 'dead';
      }
      log.warn(details, 'event delivery failed: will retry');
      await store.retryLater(claim, describe(error), retryDelay(options.backoff, claim.attempts));
      return 'retried';
    }
    if (ended === 'unfinished') {
      // Carried on at once by whichever relay claims it next, the try not counted: however many
      // tries a long fan-out takes, it never runs out of them.
      await store.release(claim);
      return 'unfinished';
    }
    await store.complete(claim);
    return 'delivered';
  }

  async function runOnce(): Promise<number> {
    const open = [...guarded.values()].filter((target) => !target.isOpen());
    // Before the claim: the leases start during it, so no try is taken for younger than it is.
    const claimedAt = Date.now();
    const claims = await store.claim(
      open.map((target) => target.consumer.name),
      options.batchSize,
      options.leaseMs,
    );
    // Every try of the batch has stopped before the next claim: this relay never runs a
    // delivery twice at once.
    await Promise.all(
      claims.map(async (claim) => {
        try {
          settled(claim.consumer, await settle(claim, claimedAt));
        } catch (error) {
          // Settling failed (the database went away): the lease lapses and the delivery is
          // claimed again, so it is repeated, never lost.
          log.warn({ consumer: claim.consumer, err: error }, 'event delivery not settled');
        }
      }),
    );
    return claims.length;
  }

  let running: Promise<void> | undefined;
  let stopping = false;
  // Aborted by `stop`: the deliveries in flight start no further step.
  let halt = new AbortController();
  // Counts wakes (and the stop): one that came during a batch means there may be more to claim.
  let wakes = 0;
  let interrupt: (() => void) | undefined;

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      interrupt = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function loop(): Promise<void> {
    // Logged once when claiming starts failing (the database is down), not on every poll.
    let failing = false;
    while (!stopping) {
      const wakesBefore = wakes;
      let claimed = 0;
      try {
        claimed = await runOnce();
        failing = false;
      } catch (error) {
        if (!failing) log.warn({ err: error }, 'outbox relay cannot claim deliveries');
        failing = true;
      }
      // A full batch may have more behind it.
      if (claimed < options.batchSize && wakes === wakesBefore) await sleep(options.pollMs);
    }
  }

  return {
    start() {
      stopping = false;
      if (halt.signal.aborted) halt = new AbortController();
      running ??= loop();
    },
    wake() {
      wakes++;
      interrupt?.();
    },
    async stop() {
      stopping = true;
      halt.abort();
      wakes++;
      interrupt?.();
      await running;
      running = undefined;
    },
    runOnce,
  };
}
