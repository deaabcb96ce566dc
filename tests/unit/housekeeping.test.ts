import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanUpPeriodically, HOURLY_CLEANUP } from '../../src/core/housekeeping.js';

const MINUTE = 60 * 1000;

let app: FastifyInstance;
beforeEach(() => {
  // Timers only: Fastify's own start and close run on the real event loop.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  app = Fastify();
});
afterEach(async () => {
  await app.close();
  vi.useRealTimers();
});

/** Keel's hourly cleanup with `random` placing its first run; the calls it makes. */
async function hourly(random: number) {
  const cleanup = vi.fn(() => Promise.resolve(0));
  cleanUpPeriodically(app, 'things', HOURLY_CLEANUP, cleanup, () => random);
  await app.ready();
  return cleanup;
}

describe('cleanUpPeriodically', () => {
  it.each([0, 0.5, 0.999_999])(
    'runs first between one and five minutes after start (draw %s), then hourly',
    async (random) => {
      const cleanup = await hourly(random);
      await vi.advanceTimersByTimeAsync(MINUTE - 1);
      expect(cleanup).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(4 * MINUTE + 1);
      expect(cleanup).toHaveBeenCalledOnce();
      await vi.advanceTimersByTimeAsync(60 * MINUTE);
      expect(cleanup).toHaveBeenCalledTimes(2);
    },
  );

  it('runs no more once the app has closed, before its first run or after it', async () => {
    const early = await hourly(0.5);
    await app.close();
    await vi.advanceTimersByTimeAsync(120 * MINUTE);
    expect(early).not.toHaveBeenCalled();

    app = Fastify();
    const late = await hourly(0.5);
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    await app.close();
    await vi.advanceTimersByTimeAsync(120 * MINUTE);
    expect(late).toHaveBeenCalledOnce();
  });
});
