import type { FastifyInstance } from 'fastify';

export interface CleanupSchedule {
  readonly intervalMs: number;
  /** The first run comes at a random moment in [min, max) after start. */
  readonly firstRunMs: { readonly min: number; readonly max: number };
}

/**
 * Keel's housekeeping (expired idempotency keys, delivered outbox events): hourly, and first
 * between one and five minutes after start. An instance that lives less than an hour (a deploy,
 * autoscaling, a crash loop) still cleans; the start's own work goes first; and instances started
 * together spread their first runs instead of all running the same deletes at once.
 */
export const HOURLY_CLEANUP: CleanupSchedule = {
  intervalMs: 60 * 60 * 1000,
  firstRunMs: { min: 60 * 1000, max: 5 * 60 * 1000 },
};

/**
 * Runs `cleanup` once soon after start, then every interval, until `app` closes, logging how many
 * `what` it deleted. Every instance runs it; two at once are harmless (each deletes what the other
 * left). A failure is logged and the next run tries again. `random` is in [0, 1), as
 * `Math.random`, and places the first run.
 */
export function cleanUpPeriodically(
  app: FastifyInstance,
  what: string,
  { intervalMs, firstRunMs }: CleanupSchedule,
  cleanup: () => Promise<number>,
  random: () => number = Math.random,
): void {
  const run = (): void => {
    cleanup().then(
      (deleted) => {
        app.log.info({ deleted }, `${what} deleted`);
      },
      (error: unknown) => {
        app.log.warn({ err: error }, `${what} cleanup failed; it runs again later`);
      },
    );
  };
  let timer = setTimeout(
    () => {
      run();
      timer = setInterval(run, intervalMs);
      timer.unref();
    },
    firstRunMs.min + random() * (firstRunMs.max - firstRunMs.min),
  );
  timer.unref();
  app.addHook('onClose', (_instance, done) => {
    // The first run's timeout or the interval after it: Node clears either with clearTimeout.
    clearTimeout(timer);
    done();
  });
}
