import type { BenchLog } from './bench-log.js';

/** Undo steps run last-in first-out, on normal exit, on failure and on Ctrl-C alike. */
export interface Cleanup {
  defer(step: () => Promise<void>): void;
  /**
   * Runs every step deferred so far (and any deferred meanwhile). A call while a run is under way
   * joins it: both resolve when the last step is done, so Ctrl-C during the cleanup after a size
   * exits only once the database is dropped, not as soon as the step list is empty.
   */
  run(): Promise<void>;
}

export function createCleanup(
  log: BenchLog,
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
): Cleanup {
  const steps: (() => Promise<void>)[] = [];
  const drain = async (): Promise<void> => {
    for (let step = steps.pop(); step !== undefined; step = steps.pop()) {
      try {
        await step();
      } catch (error) {
        log.warn(`cleanup step failed: ${String(error)}`);
      }
    }
  };
  let running: Promise<void> | undefined;
  const run = (): Promise<void> => {
    running ??= drain().finally(() => {
      running = undefined;
    });
    return running;
  };
  for (const signal of signals) {
    process.once(signal, () => {
      log.info(`${signal}: stopping servers and dropping bench databases`);
      void run().finally(() => process.exit(130));
    });
  }
  return { defer: (step) => steps.push(step), run };
}
