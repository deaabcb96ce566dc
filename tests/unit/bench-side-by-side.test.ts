import { describe, expect, it } from 'vitest';
import { sideBySideRound, sideBySideSteps } from '../../bench/load/side-by-side.js';
import type { Scenario } from '../../bench/load/scenarios.js';
import type { ScenarioResult } from '../../bench/report/bench-results.js';

const scenario = (name: string): Scenario => ({ name, description: name, requests: [] });
const selectOne = scenario('ceiling: select 1');
const keel = ['list anonymous', 'feed', 'comments', 'profile', 'tags', 'add comment'].map(scenario);
const bare = ['bare: list anonymous', 'bare: feed'].map(scenario);

function resultOf(name: string, requestsPerSecond: number): ScenarioResult {
  return {
    name,
    description: name,
    requests: requestsPerSecond,
    requestsPerSecond,
    latencyMs: { p50: 1, p90: 2, p99: 3, max: 4 },
    non2xx: 0,
    errors: 0,
    statusCodes: { '200': requestsPerSecond },
    serverCpuSeconds: 1,
    serverPeakRssMiB: 100,
    failed: false,
  };
}

describe('a round run side by side', () => {
  it('puts each hot read right after its bare read, between select-1 windows shared by neighbours', () => {
    const steps = sideBySideSteps(keel, bare, selectOne);
    expect(steps.map((step) => `${step.on} ${step.scenario.name}`)).toEqual([
      'ceiling ceiling: select 1',
      'ceiling bare: list anonymous',
      'keel list anonymous',
      'ceiling ceiling: select 1',
      'ceiling bare: feed',
      'keel feed',
      'ceiling ceiling: select 1',
      // Not a hot read: run in its place, and the next read gets a window of its own before it.
      'keel comments',
      'ceiling ceiling: select 1',
      'keel profile',
      'ceiling ceiling: select 1',
      'keel tags',
      'ceiling ceiling: select 1',
      'keel add comment',
    ]);
    expect(steps.map((step) => step.around)).toEqual([
      undefined,
      [0, 3],
      [0, 3],
      undefined,
      [3, 6],
      [3, 6],
      undefined,
      undefined,
      undefined,
      [8, 10],
      undefined,
      [10, 12],
      undefined,
      undefined,
    ]);
  });

  it('keeps the bare reads with the ceilings and each select-1 window beside its reads', () => {
    const steps = sideBySideSteps(keel.slice(0, 3), bare, selectOne);
    const rates = [1_000, 250, 200, 1_200, 100, 90, 1_100, 500];
    const results = steps.map((step, index) => resultOf(step.scenario.name, rates[index] ?? 0));
    const ceilings = [resultOf('ceiling: constant', 9_000), resultOf('ceiling: select 1', 900)];
    const round = sideBySideRound(ceilings, steps, results);
    expect(round.ceilings.map((item) => [item.name, item.requestsPerSecond])).toEqual([
      ['ceiling: constant', 9_000],
      ['ceiling: select 1', 900],
      ['bare: list anonymous', 250],
      ['bare: feed', 100],
    ]);
    expect(round.scenarios.map((item) => [item.name, item.requestsPerSecond])).toEqual([
      ['list anonymous', 200],
      ['feed', 90],
      ['comments', 500],
    ]);
    const around = Object.entries(round.selectOneAround ?? {}).map(([name, windows]) => [
      name,
      windows.map((window) => window.requestsPerSecond),
    ]);
    expect(around).toEqual([
      ['bare: list anonymous', [1_000, 1_200]],
      ['list anonymous', [1_000, 1_200]],
      ['bare: feed', [1_200, 1_100]],
      ['feed', [1_200, 1_100]],
    ]);
    expect(() => sideBySideRound(ceilings, steps, results.slice(0, 2))).toThrow(
      'step 3 has no result',
    );
  });
});
