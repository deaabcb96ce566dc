import { Counter, Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import type { Backlog } from '../../src/infrastructure/events/delivery.js';
import { registerOutboxMetrics } from '../../src/infrastructure/events/metrics.js';

const BACKLOG_SAMPLE = /^outbox_(pending|lag_seconds|dead_letters)\{/m;

describe('registerOutboxMetrics', () => {
  it('leaves the backlog gauges out of a scrape whose read fails, and logs once per outage', async () => {
    let down = true;
    const backlog = vi.fn((): Promise<Backlog[]> =>
      down
        ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1'))
        : Promise.resolve([{ consumer: 'nats', pending: 3, oldestSeconds: 2, dead: 1 }]),
    );
    const log = { warn: vi.fn<(details: object, message: string) => void>() };
    const registry = new Registry();
    new Counter({ name: 'other_total', help: 'Any other metric', registers: [registry] }).inc();
    registerOutboxMetrics(registry, ['nats'], backlog, log);

    for (let scrape = 0; scrape < 3; scrape++) {
      const metrics = await registry.metrics();
      expect(metrics).toContain('other_total 1');
      expect(metrics).not.toMatch(BACKLOG_SAMPLE);
    }
    // One read per scrape for the three gauges; one warning for the three failed scrapes.
    expect(backlog).toHaveBeenCalledTimes(3);
    expect(log.warn).toHaveBeenCalledOnce();
    expect(log.warn).toHaveBeenCalledWith(
      { err: expect.any(Error) },
      expect.stringContaining('outbox backlog unreadable'),
    );

    down = false;
    const back = await registry.metrics();
    expect(back).toContain('outbox_pending{consumer="nats"} 3');
    expect(back).toContain('outbox_lag_seconds{consumer="nats"} 2');
    expect(back).toContain('outbox_dead_letters{consumer="nats"} 1');

    // A new outage is told again, and its scrapes keep no sample from before it.
    down = true;
    expect(await registry.metrics()).not.toMatch(BACKLOG_SAMPLE);
    expect(log.warn).toHaveBeenCalledTimes(2);
  });

  it('reports each consumer at 0 when it is owed nothing, and any other the database names', async () => {
    const registry = new Registry();
    registerOutboxMetrics(
      registry,
      ['notifications', 'nats'],
      () => Promise.resolve([{ consumer: 'retired', pending: 0, oldestSeconds: 0, dead: 2 }]),
      { warn: () => undefined },
    );
    const metrics = await registry.metrics();
    for (const consumer of ['notifications', 'nats']) {
      expect(metrics).toContain(`outbox_pending{consumer="${consumer}"} 0`);
      expect(metrics).toContain(`outbox_lag_seconds{consumer="${consumer}"} 0`);
      expect(metrics).toContain(`outbox_dead_letters{consumer="${consumer}"} 0`);
    }
    expect(metrics).toContain('outbox_dead_letters{consumer="retired"} 2');
  });
});
