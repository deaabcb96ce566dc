import { describe, expect, it } from 'vitest';
import { bareScenarios, type Scenario } from '../../bench/load/scenarios.js';
import { sideBySideRound, sideBySideSteps, type Step } from '../../bench/load/side-by-side.js';
import type { ScenarioResult } from '../../bench/report/bench-results.js';
import { combineRounds } from '../../bench/report/rounds.js';

const scenario = (name: string): Scenario => ({
  name,
  description: name,
  requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: '/api/v1/x' }) }],
});
const selectOne = scenario('ceiling: select 1');
const keel = ['list anonymous', 'feed', 'comments', 'profile', 'tags', 'add comment'].map(scenario);

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

const describeStep = (step: Step): string =>
  `${step.on} ${step.scenario.name}${step.role === 'read' ? ` [${step.around.join(', ')}]` : ''}`;

describe('a round run side by side', () => {
  it('puts each hot read right after its bare read, between select-1 windows shared by neighbours', () => {
    const steps = sideBySideSteps(keel, bareScenarios(keel), selectOne);
    expect(steps.map(describeStep)).toEqual([
      'ceiling ceiling: select 1',
      'ceiling bare: list anonymous [0, 1]',
      'keel list anonymous [0, 1]',
      'ceiling ceiling: select 1',
      'ceiling bare: feed [1, 2]',
      'keel feed [1, 2]',
      'ceiling ceiling: select 1',
      // Not a hot read: run in its place, and the next read gets a window of its own before it.
      'keel comments',
      'ceiling ceiling: select 1',
      // A hot read without a bare twin.
      'keel profile [3, 4]',
      'ceiling ceiling: select 1',
      'keel tags [4, 5]',
      'ceiling ceiling: select 1',
      'keel add comment',
    ]);
    expect(steps.map((step) => step.role)).toEqual([
      'window',
      'read',
      'read',
      'window',
      'read',
      'read',
      'window',
      'other',
      'window',
      'read',
      'window',
      'read',
      'window',
      'other',
    ]);
  });

  it('measures no window where no hot read was chosen', () => {
    expect(sideBySideSteps([], [], selectOne)).toEqual([]);
    const writes = ['comments', 'add comment'].map(scenario);
    expect(sideBySideSteps(writes, [], selectOne).map(describeStep)).toEqual([
      'keel comments',
      'keel add comment',
    ]);
  });

  it('keeps the bare reads with the ceilings and each read with the windows around it', () => {
    const chosen = keel.slice(0, 3);
    const steps = sideBySideSteps(chosen, bareScenarios(chosen), selectOne);
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
    expect(round.selectOneBeside?.windows.map((item) => item.requestsPerSecond)).toEqual([
      1_000, 1_200, 1_100,
    ]);
    expect(round.selectOneBeside?.around).toEqual({
      'bare: list anonymous': [0, 1],
      'list anonymous': [0, 1],
      'bare: feed': [1, 2],
      feed: [1, 2],
    });
    expect(() => sideBySideRound(ceilings, steps, results.slice(0, 2))).toThrow(
      'step 2 has no result',
    );
  });

  it('lists the scenarios in the order a PGlite round does, so rounds of both combine', () => {
    const steps = sideBySideSteps(keel, bareScenarios(keel), selectOne);
    const sideBySide = sideBySideRound(
      [resultOf('ceiling: select 1', 1_000)],
      steps,
      steps.map((step) => resultOf(step.scenario.name, 100)),
    );
    // A PGlite round: the ceilings, the bare reads, then Keel's scenarios, each in list order.
    const oneAfterTheOther = {
      ceilings: [resultOf('ceiling: select 1', 1_000)].concat(
        bareScenarios(keel).map((item) => resultOf(item.name, 100)),
      ),
      scenarios: keel.map((item) => resultOf(item.name, 100)),
    };
    const names = (results: readonly ScenarioResult[]): string[] =>
      results.map((result) => result.name);
    expect(names(sideBySide.ceilings)).toEqual(names(oneAfterTheOther.ceilings));
    expect(names(sideBySide.scenarios)).toEqual(names(oneAfterTheOther.scenarios));
    expect(() => combineRounds([sideBySide, oneAfterTheOther, sideBySide])).not.toThrow();
  });
});
