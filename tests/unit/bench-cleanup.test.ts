import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createCleanup } from '../../bench/load/cleanup.js';

const silent = { info: (): void => undefined, warn: (): void => undefined };

describe("the bench's cleanup", () => {
  it('resolves every run only once every step is done, when Ctrl-C comes during a run', async () => {
    // The bench runs the cleanup after each size and on Ctrl-C, which exits once its run resolves:
    // a run that resolved while the other still dropped the database would cut the drop short.
    const cleanup = createCleanup(silent, []);
    const done: string[] = [];
    cleanup.defer(async () => {
      await sleep(60);
      done.push('drop the database');
    });
    cleanup.defer(async () => {
      await sleep(5);
      done.push('stop the server');
    });
    const afterSize = cleanup.run();
    const onSignal = cleanup.run();
    await Promise.race([afterSize, onSignal]);
    expect(done).toEqual(['stop the server', 'drop the database']);
    await Promise.all([afterSize, onSignal]);
  });

  it('runs its steps last in first out, and a step that fails does not stop the others', async () => {
    const warnings: string[] = [];
    const cleanup = createCleanup({ info: () => undefined, warn: (m) => warnings.push(m) }, []);
    const done: number[] = [];
    cleanup.defer(() => Promise.resolve(void done.push(1)));
    cleanup.defer(() => Promise.reject(new Error('gone')));
    cleanup.defer(() => Promise.resolve(void done.push(3)));
    await cleanup.run();
    expect(done).toEqual([3, 1]);
    expect(warnings).toEqual(['cleanup step failed: Error: gone']);
  });
});
