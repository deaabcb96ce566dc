import { describe, expect, it } from 'vitest';
import type { BenchRun, ScenarioResult } from '../../bench/report/bench-results.js';
import { formatCurve } from '../../bench/report/format-results.js';
import { benchRun, scenarioResult } from '../helpers/bench-report.js';

/** A scenario whose p50 and p99 are as given (p90 halfway, max twice p99). */
const result = (name: string, p50: number, p99: number): ScenarioResult =>
  scenarioResult(name, 100, { latencyMs: { p50, p90: p99 / 2, p99, max: p99 * 2 } });

const run = (size: string, scenarios: readonly ScenarioResult[]): BenchRun =>
  benchRun(size, { scenarios });

describe("the bench's curve over sizes", () => {
  it('prints how p50 and p99 each move from the first size to the last', () => {
    const curve = formatCurve({
      runs: [
        run('s', [result('feed', 4, 10)]),
        run('m', [result('feed', 5, 15)]),
        run('l', [result('feed', 12, 25)]),
      ],
    });
    expect(curve).toMatch(
      /\| scenario +\| p50 S +\| p50 M +\| p50 L +\| p99 S +\| p99 M +\| p99 L +\| p50 L\/S +\| p99 L\/S +\|/,
    );
    expect(curve).toMatch(
      /\| feed +\| +4\.0 \| +5\.0 \| +12 \| +10 \| +15 \| +25 \| +3\.00× \| +2\.50× \|/,
    );
  });

  it('prints nothing for a single size', () => {
    expect(formatCurve({ runs: [run('s', [result('feed', 4, 10)])] })).toBe('');
  });
});
