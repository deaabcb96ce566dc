import { describe, expect, it } from 'vitest';
import { settingsAt } from '../../bench/load/run-scenario.js';

const settings = { durationSeconds: 8, warmupSeconds: 2, connections: 10 };

describe("the bench's warm-ups", () => {
  it("warm a fresh server's first scenario up for at least 10 s, the others as asked", () => {
    expect(settingsAt(0, settings)).toEqual({ ...settings, warmupSeconds: 10 });
    expect(settingsAt(1, settings)).toBe(settings);
    expect(settingsAt(5, settings)).toBe(settings);
  });

  it('keep a longer warm-up, and none when none is asked for', () => {
    expect(settingsAt(0, { ...settings, warmupSeconds: 15 }).warmupSeconds).toBe(15);
    expect(settingsAt(0, { ...settings, warmupSeconds: 0 }).warmupSeconds).toBe(0);
  });
});
