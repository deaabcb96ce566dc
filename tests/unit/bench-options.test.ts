import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../bench/load/bench-options.js';

describe('the bench options', () => {
  it('run Keel without Redis unless --redis-url names one', () => {
    expect(parseBenchOptions([]).redisUrl).toBeUndefined();
    expect(parseBenchOptions(['--redis-url', 'redis://127.0.0.1:6379']).redisUrl).toBe(
      'redis://127.0.0.1:6379',
    );
  });

  it('run one round unless --rounds asks for more', () => {
    expect(parseBenchOptions([]).rounds).toBe(1);
    expect(parseBenchOptions(['--rounds', '3']).rounds).toBe(3);
    expect(() => parseBenchOptions(['--rounds', '0'])).toThrow(
      '--rounds must be a whole number ≥ 1, got "0"',
    );
  });

  it('refuse what they cannot run, saying why', () => {
    expect(() => parseBenchOptions(['--database', 'mysql'])).toThrow(
      '--database must be postgres or embedded',
    );
    expect(() => parseBenchOptions(['--size', 's,m', '--database-url', 'postgres://x/y'])).toThrow(
      '--database-url holds one dataset',
    );
    expect(() => parseBenchOptions(['--duration', '0'])).toThrow(
      '--duration must be a whole number ≥ 1, got "0"',
    );
  });
});
