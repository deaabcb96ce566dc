import { describe, expect, it } from 'vitest';
import { settingsFor } from '../../bench/load/run-scenario.js';

const settings = { durationSeconds: 8, warmupSeconds: 2, connections: 10 };

describe("the bench's warm-ups", () => {
  it("warm a fresh server's first scenario up for at least 10 s, the others as asked", () => {
    expect(settingsFor(true, settings)).toEqual({ ...settings, warmupSeconds: 10 });
    expect(settingsFor(false, settings)).toBe(settings);
  });

  it('keep a longer warm-up, and none when none is asked for', () => {
    expect(settingsFor(true, { ...settings, warmupSeconds: 15 }).warmupSeconds).toBe(15);
    expect(settingsFor(true, { ...settings, warmupSeconds: 0 }).warmupSeconds).toBe(0);
  });
});
