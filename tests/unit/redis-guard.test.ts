import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { createRedisGuard } from '../../src/infrastructure/cache/redis-guard.js';

const failing = (): Promise<never> => Promise.reject(new Error('connect ECONNREFUSED'));
const hanging = (): Promise<never> => new Promise(() => undefined);

function setup() {
  const log = { warn: vi.fn<(d: object, m: string) => void>() };
  const guard = createRedisGuard(log, { timeoutMs: 20, failuresToOpen: 3, halfOpenAfterMs: 100 });
  return { log, guard };
}

describe('createRedisGuard', () => {
  it('gives up on a call that outlasts the timeout', async () => {
    const { guard } = setup();
    await expect(guard.run(hanging)).rejects.toThrow();
    expect(guard.state()).toBe('closed');
  });

  it('opens for every caller once any of them has failed enough, without calling them', async () => {
    const { guard, log } = setup();
    // A rate-limit hit that hangs and two publications that fail: three failures in a row.
    await expect(guard.run(hanging)).rejects.toThrow();
    await expect(guard.run(failing)).rejects.toThrow();
    await expect(guard.run(failing)).rejects.toThrow();
    expect(guard.state()).toBe('open');
    const publish = vi.fn(() => Promise.resolve(1));
    await expect(guard.run(publish)).rejects.toThrow();
    expect(publish).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalledOnce();
    expect(log.warn).toHaveBeenCalledWith(
      { halfOpenAfterMs: 100 },
      expect.stringContaining('cache invalidations are not published'),
    );
  });

  it('lets one probe through once half-open, closes when it succeeds, and logs the next outage', async () => {
    const { guard, log } = setup();
    for (let call = 0; call < 3; call++) await expect(guard.run(failing)).rejects.toThrow();
    await sleep(120);
    // Still failing: open again, silently (the same outage).
    await expect(guard.run(failing)).rejects.toThrow();
    expect(guard.state()).toBe('open');
    expect(log.warn).toHaveBeenCalledOnce();
    await sleep(120);
    expect(await guard.run(() => Promise.resolve('PONG'))).toBe('PONG');
    expect(guard.state()).toBe('closed');
    for (let call = 0; call < 3; call++) await expect(guard.run(failing)).rejects.toThrow();
    expect(log.warn).toHaveBeenCalledTimes(2);
  });
});
