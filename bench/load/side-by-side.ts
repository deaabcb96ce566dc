import type { BenchRound, ScenarioResult } from '../report/bench-results.js';
import { bareName, isHotRead } from './list-reads.js';
import type { Scenario } from './scenarios.js';

/**
 * One measured window of a round whose ceiling server and Keel run side by side: a window of
 * select 1 between reads; a hot read (on Keel) or its bare read (on the ceiling server), with
 * the select-1 windows right before and after it, by their order among the windows; or another
 * of Keel's scenarios.
 */
export type Step = { readonly on: 'ceiling' | 'keel'; readonly scenario: Scenario } & (
  | { readonly role: 'window' }
  | { readonly role: 'read'; readonly around: readonly [number, number] }
  | { readonly role: 'other' }
);

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
  let windows = 0;
  // The window that ended the last step, if the last step was one.
  let before: number | undefined;
  const addWindow = (): number => {
    steps.push({ on: 'ceiling', scenario: selectOne, role: 'window' });
    windows += 1;
    return windows - 1;
  };
  for (const scenario of keel) {
    if (!isHotRead(scenario.name)) {
      steps.push({ on: 'keel', scenario, role: 'other' });
      before = undefined;
      continue;
    }
    before ??= addWindow();
    const around = [before, windows] as const;
    const twin = bare.find((candidate) => candidate.name === bareName(scenario.name));
    if (twin !== undefined) steps.push({ on: 'ceiling', scenario: twin, role: 'read', around });
    steps.push({ on: 'keel', scenario, role: 'read', around });
    before = addWindow();
  }
  return steps;
}

/**
 * A round from its ceilings and the results of `steps` (one per step, in order): the bare reads
 * join the ceilings, Keel's results are its scenarios, and the select-1 windows are kept with
 * the reads each brackets.
 */
export function sideBySideRound(
  ceilings: readonly ScenarioResult[],
  steps: readonly Step[],
  results: readonly ScenarioResult[],
): BenchRound {
  const bare: ScenarioResult[] = [];
  const scenarios: ScenarioResult[] = [];
  const windows: ScenarioResult[] = [];
  const around: Record<string, readonly [number, number]> = {};
  for (const [index, step] of steps.entries()) {
    const result = results[index];
    if (result === undefined) throw new Error(`step ${String(index)} has no result`);
    if (step.role === 'window') {
      windows.push(result);
      continue;
    }
    (step.on === 'keel' ? scenarios : bare).push(result);
    if (step.role === 'read') around[result.name] = step.around;
  }
  return { ceilings: [...ceilings, ...bare], scenarios, selectOneBeside: { windows, around } };
}
