import { describe, expect, it } from 'vitest';
import { BenchOptionsError, parseBenchOptions } from '../../bench/load/bench-options.js';

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

  it('refuse, as a misuse, what they cannot read: an unknown option, a stray word, a size', () => {
    for (const [args, problem] of [
      [['--sise', 'm'], "Unknown option '--sise'"],
      [['m'], "Unexpected argument 'm'"],
      [['--size'], "Option '--size <value>' argument missing"],
      [['--size', 'x'], 'unknown size "x": use s, m or l'],
      [['--size', 's,'], 'unknown size "": use s, m or l'],
      [['--size', 'constructor'], 'unknown size "constructor"'],
      [['--seed', ''], '--seed must be a whole number ≥ 0, got ""'],
      [['--only', 'fead'], 'no Keel scenario\'s name contains "fead"; the names are'],
      [
        ['--database', 'embedded', '--database-url', 'postgres://x/y'],
        '--database-url names a PostgreSQL database',
      ],
    ] as const) {
      expect(() => parseBenchOptions(args)).toThrow(BenchOptionsError);
      expect(() => parseBenchOptions(args)).toThrow(problem);
    }
    expect(parseBenchOptions(['--size', 'S,M,L']).sizes.map((size) => size.name)).toEqual([
      's',
      'm',
      'l',
    ]);
  });

  it('choose with --only the scenarios whose name contains a word, and refuse a word none has', () => {
    expect(parseBenchOptions([]).only).toEqual([]);
    expect(parseBenchOptions(['--only', 'list anon,feed,']).only).toEqual(['list anon', 'feed']);
    // Matched as the run chooses, by a part of the name: "keyed" is in two names.
    expect(parseBenchOptions(['--only', 'keyed']).only).toEqual(['keyed']);
    const refused = (): unknown =>
      parseBenchOptions(['--only', 'feed,ceiling,Feed,list,bare: feed', '--size', 's']);
    expect(refused).toThrow(BenchOptionsError);
    expect(refused).toThrow(
      '--only: no Keel scenario\'s name contains "ceiling", "Feed", "bare: feed"; the names are ' +
        '"list anonymous", "list authenticated", "feed", ',
    );
    expect(refused).toThrow('"add comment, replayed", "login", "list during login burst"');
  });
});
