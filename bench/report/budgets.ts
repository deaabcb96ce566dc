import type { BenchReport, BenchRun, ScenarioResult } from './bench-results.js';
import { bareName, HOT_READS } from '../load/list-reads.js';
import { markdownTable } from './markdown-table.js';
import {
  failedScenarios,
  findResult,
  pairedShare,
  selectOneShare,
  type PairedShare,
} from './rounds.js';

/** A hot read's p99 at L may be at most this many times its p99 at S. */
const P99_GROWTH = 2;
/** At M, a hot read serves at least this share of the select-1 ceiling's requests per second. */
const CEILING_SHARE = 0.25;

/** One budget for one scenario (or for the whole run): what was measured and whether it holds. */
export interface BudgetVerdict {
  readonly budget: string;
  readonly scenario: string;
  readonly measured: string;
  /** `undefined` when the report lacks a size the budget needs. */
  readonly holds: boolean | undefined;
}

const share = (value: number): string => `${String(Math.round(100 * value))} %`;

function find(run: BenchRun | undefined, name: string): ScenarioResult | undefined {
  return run === undefined ? undefined : findResult(run, name);
}

/** Every scenario of every size ran without an error or a non-2xx answer. */
function noErrors(runs: readonly BenchRun[]): BudgetVerdict {
  const failed = runs.flatMap((run) =>
    failedScenarios(run).map((name) => `${run.size.toUpperCase()} ${name}`),
  );
  return {
    budget: 'no errors, at any size',
    scenario: 'every scenario',
    measured: failed.length === 0 ? 'none' : failed.join(', '),
    holds: failed.length === 0,
  };
}

/** Why a budget can't be judged: a size not run, or a scenario left out of it (`--only`). */
function missing(runs: readonly (BenchRun | undefined)[], sizes: string): string {
  return runs.includes(undefined) ? `needs size ${sizes}` : 'scenario not run';
}

/** A hot read's p99 at L against its p99 at S. */
function flatCurve(name: string, small?: BenchRun, large?: BenchRun): BudgetVerdict {
  const budget = `p99 at L within ${String(P99_GROWTH)}× of S`;
  const [s, l] = [find(small, name), find(large, name)];
  if (s === undefined || l === undefined) {
    return {
      budget,
      scenario: name,
      measured: missing([small, large], 'S and L'),
      holds: undefined,
    };
  }
  if (s.latencyMs.p99 === 0) {
    // autocannon counts whole milliseconds: no ratio to a p99 under one.
    return { budget, scenario: name, measured: 'p99 at S under 1 ms', holds: undefined };
  }
  const growth = l.latencyMs.p99 / s.latencyMs.p99;
  return {
    budget,
    scenario: name,
    measured: `${growth.toFixed(2)}×`,
    holds: growth <= P99_GROWTH,
  };
}

/** A share as a percentage, and, over several rounds, the range of the rounds' shares. */
function percent(paired: PairedShare, digits: number): string {
  const of = (value: number): string => (100 * value).toFixed(digits);
  const range = paired.rounds === 1 ? '' : ` [${of(paired.range.min)}–${of(paired.range.max)}]`;
  return `${of(paired.median)} %${range}`;
}

/**
 * A hot read's requests per second at M as a share of the select-1 ceiling's, taken within each
 * round: it holds when the median round's share reaches the budget.
 */
function nearCeiling(name: (typeof HOT_READS)[number], medium?: BenchRun): BudgetVerdict {
  const budget = `at M, at least ${share(CEILING_SHARE)} of select 1`;
  const read = medium === undefined ? undefined : selectOneShare(medium, name);
  if (medium === undefined || read === undefined) {
    return { budget, scenario: name, measured: missing([medium], 'M'), holds: undefined };
  }
  // Beside the read's share, the share of its own statements served bare (Fastify and the
  // driver alone): how much of the budget the stack leaves, and how much of that Keel serves.
  // A bare read that failed in any round measured nothing worth comparing.
  const bareRead = bareName(name);
  const [bare, keelOfBare] =
    find(medium, bareRead)?.failed === false
      ? [selectOneShare(medium, bareRead), pairedShare(medium, name, bareRead)]
      : [undefined, undefined];
  return {
    budget,
    scenario: name,
    // One decimal, so a share just under the budget does not read as the budget itself.
    measured:
      bare === undefined || keelOfBare === undefined
        ? percent(read, 1)
        : `${percent(read, 1)} (bare: ${percent(bare, 1)}; Keel serves ${percent(keelOfBare, 0)} of it)`,
    holds: read.median >= CEILING_SHARE,
  };
}

/**
 * The budgets of issue #6 that a report can judge, per database it ran on: no errors at any
 * size, each hot read's p99 flat from S to L, and each near the select-1 ceiling at M. Login's
 * cost and the CI smoke run are judged in docs/performance.md, not from timings here.
 */
export function judgeBudgets(report: BenchReport): Map<BenchRun['database'], BudgetVerdict[]> {
  const verdicts = new Map<BenchRun['database'], BudgetVerdict[]>();
  for (const database of new Set(report.runs.map((run) => run.database))) {
    const runs = report.runs.filter((run) => run.database === database);
    const bySize = (size: string): BenchRun | undefined => runs.find((run) => run.size === size);
    verdicts.set(database, [
      noErrors(runs),
      ...HOT_READS.map((name) => flatCurve(name, bySize('s'), bySize('l'))),
      ...HOT_READS.map((name) => nearCeiling(name, bySize('m'))),
    ]);
  }
  return verdicts;
}

/** The verdicts as Markdown, one table per database. */
export function formatBudgets(report: BenchReport): string {
  const verdict = (holds: boolean | undefined): string =>
    holds === undefined ? 'not measured' : holds ? 'holds' : 'FAILS';
  return [...judgeBudgets(report)]
    .map(([database, verdicts]) => {
      const rows = verdicts.map((item) => [
        item.budget,
        item.scenario,
        item.measured,
        verdict(item.holds),
      ]);
      return `budgets on ${database}\n\n${markdownTable(['budget', 'scenario', 'measured', 'verdict'], rows)}\n`;
    })
    .join('\n');
}
