import { SELECT_1_CEILING } from '../load/scenarios.js';
import type { BenchRound, BenchRun, Range, ScenarioResult } from './bench-results.js';

/** The middle value, or the mean of the middle two; `values` must not be empty. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

function rangeOf(values: readonly number[]): Range {
  return { min: Math.min(...values), max: Math.max(...values) };
}

const sum = (values: readonly number[]): number =>
  values.reduce((total, value) => total + value, 0);

/** The sum of a measurement every round took; undefined when one round did not take it. */
function sumOfAll(values: readonly (number | undefined)[]): number | undefined {
  return values.every((value) => value !== undefined) ? sum(values) : undefined;
}

function sumCounts(
  counts: readonly Readonly<Record<string, number>>[],
): Readonly<Record<string, number>> {
  const total: Record<string, number> = {};
  for (const [code, count] of counts.flatMap((item) => Object.entries(item))) {
    total[code] = (total[code] ?? 0) + count;
  }
  return total;
}

/**
 * One scenario over its rounds: the median round's rate and latencies, the range of the rates,
 * the slowest answer of all, every request, error, retry and CPU second summed (so CPU per
 * request is the mean over all requests), the highest peak RSS, and failed if any round failed.
 */
function combineResults(results: readonly ScenarioResult[]): ScenarioResult {
  const [first] = results;
  if (first === undefined) throw new Error('a scenario needs at least one round');
  const rates = results.map((result) => result.requestsPerSecond);
  const databaseCpu = sumOfAll(results.map((result) => result.databaseCpuSeconds));
  const driverCpu = sumOfAll(results.map((result) => result.driverCpuSeconds));
  const retries = sumOfAll(results.map((result) => result.databaseRetries));
  const besideFailures = sumOfAll(results.map((result) => result.besideFailures));
  return {
    name: first.name,
    description: first.description,
    requests: sum(results.map((result) => result.requests)),
    requestsPerSecond: median(rates),
    requestsPerSecondRange: rangeOf(rates),
    latencyMs: {
      p50: median(results.map((result) => result.latencyMs.p50)),
      p90: median(results.map((result) => result.latencyMs.p90)),
      p99: median(results.map((result) => result.latencyMs.p99)),
      max: Math.max(...results.map((result) => result.latencyMs.max)),
    },
    non2xx: sum(results.map((result) => result.non2xx)),
    errors: sum(results.map((result) => result.errors)),
    statusCodes: sumCounts(results.map((result) => result.statusCodes)),
    serverCpuSeconds: sum(results.map((result) => result.serverCpuSeconds)),
    serverPeakRssMiB: Math.max(...results.map((result) => result.serverPeakRssMiB)),
    ...(databaseCpu !== undefined && { databaseCpuSeconds: databaseCpu }),
    ...(driverCpu !== undefined && { driverCpuSeconds: driverCpu }),
    ...(retries !== undefined && { databaseRetries: retries }),
    ...(besideFailures !== undefined && { besideFailures }),
    failed: results.some((result) => result.failed),
  };
}

/** Each scenario over `lists`, one per round; every round must have run the same scenarios. */
function combineList(lists: readonly (readonly ScenarioResult[])[]): ScenarioResult[] {
  const names = (list: readonly ScenarioResult[]): string =>
    list.map((result) => result.name).join('\n');
  const [first = []] = lists;
  if (lists.some((list) => names(list) !== names(first))) {
    throw new Error('the rounds ran different scenarios');
  }
  return first.map((result, index) => combineResults(lists.map((list) => list[index] ?? result)));
}

/** Every scenario of `rounds` combined over its rounds (see `combineResults`). */
export function combineRounds(rounds: readonly BenchRound[]): BenchRound {
  return {
    ceilings: combineList(rounds.map((round) => round.ceilings)),
    scenarios: combineList(rounds.map((round) => round.scenarios)),
  };
}

/** A share of one scenario's rate in another's, taken within each round: its median and range. */
export interface PairedShare {
  readonly median: number;
  readonly range: Range;
  readonly rounds: number;
}

/** The ceiling or scenario named `name` in `round` (or in a run: its results over the rounds). */
export function findResult(round: BenchRound, name: string): ScenarioResult | undefined {
  return [...round.ceilings, ...round.scenarios].find((result) => result.name === name);
}

/**
 * `name`'s requests per second as a share of `baseRate(round)`, taken within each round of `run`
 * and then over the rounds; `undefined` when a round lacks either or the base is 0. A report
 * written before rounds counts as one round.
 */
function shareWithin(
  run: BenchRun,
  name: string,
  baseRate: (round: BenchRound) => number | undefined,
): PairedShare | undefined {
  const shares: number[] = [];
  for (const round of run.rounds ?? [run]) {
    const [result, base] = [findResult(round, name), baseRate(round)];
    if (result === undefined || base === undefined || base === 0) return undefined;
    shares.push(result.requestsPerSecond / base);
  }
  return { median: median(shares), range: rangeOf(shares), rounds: shares.length };
}

/** `name`'s rate as a share of `base`'s, within each round (both on the machine in one state). */
export function pairedShare(run: BenchRun, name: string, base: string): PairedShare | undefined {
  return shareWithin(run, name, (round) => findResult(round, base)?.requestsPerSecond);
}

/**
 * `name`'s rate as a share of the select-1 ceiling's, within each round: of the mean of the
 * select-1 windows measured right before and right after it, where the round has them (so a
 * machine drifting in speed moves both sides alike), else of the round's one select-1 window.
 */
export function selectOneShare(run: BenchRun, name: string): PairedShare | undefined {
  return shareWithin(run, name, (round) => {
    const beside = round.selectOneBeside;
    const around = beside?.around[name];
    if (beside === undefined || around === undefined) {
      return findResult(round, SELECT_1_CEILING)?.requestsPerSecond;
    }
    const rates = around.map((index) => beside.windows[index]?.requestsPerSecond);
    return rates.every((rate) => rate !== undefined) ? sum(rates) / rates.length : undefined;
  });
}

/**
 * The names of `run`'s scenarios that failed in any round, and of each failed select-1 window
 * measured between the reads, by its round and its place: `ceiling: select 1, round 2 window 3`.
 */
export function failedScenarios(run: BenchRun): string[] {
  const failed = [...run.ceilings, ...run.scenarios]
    .filter((result) => result.failed)
    .map((result) => result.name);
  for (const [round, { selectOneBeside }] of (run.rounds ?? []).entries()) {
    for (const [index, window] of (selectOneBeside?.windows ?? []).entries()) {
      if (window.failed) {
        failed.push(`${SELECT_1_CEILING}, round ${String(round + 1)} window ${String(index + 1)}`);
      }
    }
  }
  return failed;
}
