import type { BenchRound, ScenarioResult } from '../report/bench-results.js';
import { bareName, isHotRead } from './list-reads.js';
import type { Scenario } from './scenarios.js';

/**
 * One measured window of a round whose ceiling server and Keel run side by side: the server,
 * the scenario and, for a hot read or a bare read, the steps (by index) of the select-1 windows
 * measured right before and right after it.
 */
export interface Step {
  readonly on: 'ceiling' | 'keel';
  readonly scenario: Scenario;
  readonly around?: readonly [number, number];
}

/**
 * The windows of a side-by-side round after its ceilings: Keel's scenarios in their order, each
 * hot read right after its bare read (when it has one) and the two between select-1 windows, a
 * window shared by neighbouring reads. Within a round a share of select 1 then compares rates
 * measured seconds apart, not minutes, and Keel against its bare read likewise.
 */
export function sideBySideSteps(
  keel: readonly Scenario[],
  bare: readonly Scenario[],
  selectOne: Scenario,
): Step[] {
  const steps: Step[] = [];
  // The index of the select-1 window that ended the last step, if the last step was one.
  let before: number | undefined;
  for (const scenario of keel) {
    if (!isHotRead(scenario.name)) {
      steps.push({ on: 'keel', scenario });
      before = undefined;
      continue;
    }
    if (before === undefined) {
      before = steps.length;
      steps.push({ on: 'ceiling', scenario: selectOne });
    }
    const twin = bare.find((candidate) => candidate.name === bareName(scenario.name));
    const reads = twin === undefined ? [scenario] : [twin, scenario];
    const after = steps.length + reads.length;
    const around = [before, after] as const;
    for (const read of reads) {
      steps.push({ on: read === scenario ? 'keel' : 'ceiling', scenario: read, around });
    }
    steps.push({ on: 'ceiling', scenario: selectOne });
    before = after;
  }
  return steps;
}

/**
 * A round from its ceilings and the results of `steps` (one per step, in order): the bare reads
 * join the ceilings, Keel's results are its scenarios, and the select-1 windows are kept beside
 * the reads they bracket.
 */
export function sideBySideRound(
  ceilings: readonly ScenarioResult[],
  steps: readonly Step[],
  results: readonly ScenarioResult[],
): BenchRound {
  const resultOf = (index: number): ScenarioResult => {
    const result = results[index];
    if (result === undefined) throw new Error(`step ${String(index)} has no result`);
    return result;
  };
  const bare: ScenarioResult[] = [];
  const scenarios: ScenarioResult[] = [];
  const selectOneAround: Record<string, readonly ScenarioResult[]> = {};
  for (const [index, step] of steps.entries()) {
    if (step.around === undefined && step.on === 'ceiling') continue;
    const result = resultOf(index);
    (step.on === 'keel' ? scenarios : bare).push(result);
    if (step.around !== undefined) selectOneAround[result.name] = step.around.map(resultOf);
  }
  return { ceilings: [...ceilings, ...bare], scenarios, selectOneAround };
}
