import type { BenchLog } from './bench-log.js';

/** Undo steps run last-in first-out, on normal exit, on failure and on Ctrl-C alike. */
export interface Cleanup {
  defer(step: () => Promise<void>): void;
  run(): Promise<void>;
}

export function createCleanup(log: BenchLog): Cleanup {
  const steps: (() => Promise<void>)[] = [];
  const run = async (): Promise<void> => {
    for (let step = steps.pop(); step !== undefined; step = steps.pop()) {
      try {
        await step();
      } catch (error) {
        log.warn(`cleanup step failed: ${String(error)}`);
      }
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info(`${signal}: stopping servers and dropping bench databases`);
      void run().finally(() => process.exit(130));
    });
  }
  return { defer: (step) => steps.push(step), run };
}
