import type { FastifyInstance } from 'fastify';

/**
 * Runs `cleanup` every `intervalMs` until `app` closes, logging how many `what` it deleted.
 * Every instance runs it; two at once are harmless (each deletes what the other left). A failure
 * is logged and the next run tries again.
 */
export function cleanUpPeriodically(
  app: FastifyInstance,
  what: string,
  intervalMs: number,
  cleanup: () => Promise<number>,
): void {
  const timer = setInterval(() => {
    cleanup().then(
      (deleted) => {
        app.log.info({ deleted }, `${what} deleted`);
      },
      (error: unknown) => {
        app.log.warn({ err: error }, `${what} cleanup failed; it runs again later`);
      },
    );
  }, intervalMs);
  timer.unref();
  app.addHook('onClose', (_instance, done) => {
    clearInterval(timer);
    done();
  });
}
