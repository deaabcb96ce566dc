import type { BenchReport, BenchRun, ScenarioResult } from './bench-results.js';
import { markdownTable } from './markdown-table.js';
import { selectOneShare } from './rounds.js';

const ms = (value: number): string => value.toFixed(value < 10 ? 1 : 0);
const whole = (value: number): string => Math.round(value).toLocaleString('en-US');
/** Milliseconds of CPU per request; blank when not measured. */
const perRequest = (cpuSeconds: number | undefined, requests: number): string =>
  cpuSeconds === undefined || requests === 0 ? '' : ((cpuSeconds * 1000) / requests).toFixed(2);
const ratio = (now: number, before: number): string =>
  before === 0 ? 'n/a' : `${(now / before).toFixed(2)}×`;

/** The run measured each scenario in more than one round. */
const several = (run: BenchRun): boolean => (run.rounds?.length ?? 1) > 1;

/** The rates of a scenario's rounds, lowest to highest; blank for a single round. */
function rateRange(result: ScenarioResult): string {
  const range = result.requestsPerSecondRange;
  return range === undefined || range.min === range.max
    ? ''
    : `${whole(range.min)}–${whole(range.max)}`;
}

/** `ok` or `FAILED`, saying so when the failures were the load's beside the scenario. */
function verdict(result: ScenarioResult): string {
  if (!result.failed) return 'ok';
  const beside = result.besideFailures ?? 0;
  return beside === 0 ? 'FAILED' : `FAILED (${whole(beside)} errors or non-2xx beside)`;
}

/**
 * The scenarios of one run as a Markdown table, with each read's share of the select-1 ceiling
 * (taken within each round, and beside the read where select 1 ran there). With several rounds,
 * each column is over the rounds (bench/report/rounds.ts) and the rates' range is shown beside
 * the median.
 */
export function formatRun(run: BenchRun): string {
  const rounds = run.rounds?.length ?? 1;
  const row = (result: ScenarioResult): string[] => {
    const share = selectOneShare(run, result.name);
    return [
      result.name,
      whole(result.requestsPerSecond),
      ...(rounds > 1 ? [rateRange(result)] : []),
      ms(result.latencyMs.p50),
      ms(result.latencyMs.p90),
      ms(result.latencyMs.p99),
      ms(result.latencyMs.max),
      whole(result.non2xx),
      whole(result.errors),
      result.databaseRetries === undefined ? '' : whole(result.databaseRetries),
      perRequest(result.serverCpuSeconds, result.requests),
      perRequest(result.databaseCpuSeconds, result.requests),
      perRequest(result.driverCpuSeconds, result.requests),
      whole(result.serverPeakRssMiB),
      share === undefined ? '' : `${whole(100 * share.median)} %`,
      verdict(result),
    ];
  };
  const heading =
    `size ${run.size.toUpperCase()}, ${run.database}, ${String(run.machine.cores)} cores (${run.machine.cpu}), ` +
    `${String(run.settings.connections)} connections, ${String(run.settings.durationSeconds)} s after ` +
    `${String(run.settings.warmupSeconds)} s warm-up, ${run.settings.redis === true ? 'with' : 'without'} Redis, ` +
    (rounds > 1 ? `median of ${String(rounds)} rounds, ` : '') +
    run.startedAt;
  const table = markdownTable(
    [
      'scenario',
      'req/s',
      ...(rounds > 1 ? ['req/s range'] : []),
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'non-2xx',
      'errors',
      'db retries',
      'server CPU ms/req',
      'database CPU ms/req',
      'driver CPU ms/req',
      'server peak RSS MiB',
      'vs select 1',
      'result',
    ],
    [...run.ceilings, ...run.scenarios].map(row),
  );
  // How far the machine's speed moved during the run, where select 1 ran between the reads.
  const windowRates = (run.rounds ?? []).flatMap((round) =>
    (round.selectOneBeside?.windows ?? []).map((window) => window.requestsPerSecond),
  );
  const drift =
    windowRates.length === 0
      ? ''
      : `\nselect 1 between the hot reads: ${whole(Math.min(...windowRates))}–${whole(Math.max(...windowRates))} req/s; ` +
        'each hot and bare read\'s "vs select 1" is of the windows right before and after it\n';
  return `${heading}\n\n${table}\n${drift}`;
}

/**
 * Whether two runs' rates are told apart by their rounds: "apart" when their ranges do not
 * overlap, "overlap" when they do. A hint, not a test: with nothing changed, two ranges of three
 * rounds each miss each other one time in ten.
 */
function spread(now: ScenarioResult, before: ScenarioResult): string {
  const [a, b] = [now.requestsPerSecondRange, before.requestsPerSecondRange];
  if (a === undefined || b === undefined) return '';
  return a.min > b.max || a.max < b.min ? 'apart' : 'overlap';
}

const yesOrNo = (value: boolean | undefined): string | undefined =>
  value === undefined ? undefined : value ? 'yes' : 'no';

/** `--only`'s words as given, `all` for none. */
const onlyWords = (words: readonly string[] | undefined): string | undefined =>
  words === undefined ? undefined : words.length === 0 ? 'all' : words.join(',');

/**
 * What a run was measured under, each a thing a ratio between two runs may owe to as much as to
 * the code: undefined where the report does not say. Reports written before `--rounds` ran one
 * round, and before `--redis-url` none ran with Redis, so those two are known even there.
 */
const SETTINGS: readonly (readonly [string, (run: BenchRun) => string | number | undefined])[] = [
  ['sizes', (run) => run.size.toUpperCase()],
  ['database', (run) => run.database],
  ['database server', (run) => run.machine.database],
  ['seed', (run) => run.seed],
  ['duration', (run) => `${String(run.settings.durationSeconds)} s`],
  ['warm-up', (run) => `${String(run.settings.warmupSeconds)} s`],
  ['connections', (run) => run.settings.connections],
  ['pool size', (run) => run.settings.poolSize],
  ['rounds', (run) => run.rounds?.length ?? 1],
  ['Redis', (run) => (run.settings.redis === true ? 'with' : 'without')],
  ['smoke', (run) => yesOrNo(run.settings.smoke)],
  ['built server (--dist)', (run) => yesOrNo(run.settings.dist)],
  ['data reused (--reuse)', (run) => yesOrNo(run.settings.reuse)],
  ['scenarios (--only)', (run) => onlyWords(run.settings.only)],
  ['commit', (run) => run.commit],
  ['CPU', (run) => run.machine.cpu],
  ['cores', (run) => run.machine.cores],
  ['memory', (run) => `${String(run.machine.memoryGiB)} GiB`],
  ['Node.js', (run) => run.machine.node],
];

/** A setting over a report's runs: each value once, in the runs' order, "unknown" if unsaid. */
function settingOf(
  report: BenchReport,
  of: (run: BenchRun) => string | number | undefined,
): string {
  const values = new Set(report.runs.map((run) => String(of(run) ?? 'unknown')));
  return values.size === 0 ? 'unknown' : [...values].join(', ');
}

/** One line per setting the runs of `previous` and `current` were measured under differently. */
function settingChanges(current: BenchReport, previous: BenchReport): string[] {
  return SETTINGS.flatMap(([label, of]) => {
    const [before, now] = [settingOf(previous, of), settingOf(current, of)];
    return before === now ? [] : [`${label}: ${before} → ${now}`];
  });
}

/**
 * Per scenario of `current`, its ratio to the same scenario, size and database in `previous`,
 * after the settings the two reports' runs differ in, so a ratio between unlike runs is not read
 * as the code's doing.
 */
export function formatComparison(current: BenchReport, previous: BenchReport): string {
  const changes = settingChanges(current, previous);
  const unlike =
    changes.length === 0
      ? ''
      : `measured under different settings (old → new):\n\n${changes.map((line) => `- ${line}\n`).join('')}\n`;
  const rows: string[][] = [];
  for (const run of current.runs) {
    const before = previous.runs.find(
      (old) => old.size === run.size && old.database === run.database,
    );
    if (before === undefined) continue;
    for (const result of [...run.ceilings, ...run.scenarios]) {
      const old = [...before.ceilings, ...before.scenarios].find(
        (item) => item.name === result.name,
      );
      if (old === undefined) continue;
      rows.push([
        run.size.toUpperCase(),
        result.name,
        `${whole(old.requestsPerSecond)} → ${whole(result.requestsPerSecond)}`,
        ratio(result.requestsPerSecond, old.requestsPerSecond),
        ratio(result.latencyMs.p50, old.latencyMs.p50),
        ratio(result.latencyMs.p99, old.latencyMs.p99),
        several(run) && several(before) ? spread(result, old) : '',
      ]);
    }
  }
  if (rows.length === 0) {
    return `${unlike}compare: no run of the same size and database in the old report\n`;
  }
  const headers = [
    'size',
    'scenario',
    'req/s old → new',
    'req/s ratio',
    'p50 ratio',
    'p99 ratio',
    'req/s ranges',
  ];
  return `${unlike}${markdownTable(headers, rows)}\n`;
}

/**
 * With several sizes: each scenario's p50 and p99 at every size, and how each moved from the first
 * size to the last (their ratios).
 */
export function formatCurve(report: BenchReport): string {
  const runs = report.runs;
  const first = runs[0];
  const last = runs.at(-1);
  if (runs.length < 2 || first === undefined || last === undefined) return '';
  const sizes = runs.map((run) => run.size.toUpperCase());
  const rows = first.scenarios.map((scenario) => {
    const of = (run: BenchRun): ScenarioResult | undefined =>
      run.scenarios.find((result) => result.name === scenario.name);
    const p50 = runs.map((run) => ms(of(run)?.latencyMs.p50 ?? Number.NaN));
    const p99 = runs.map((run) => ms(of(run)?.latencyMs.p99 ?? Number.NaN));
    const latest = of(last);
    return [
      scenario.name,
      ...p50,
      ...p99,
      latest === undefined ? 'n/a' : ratio(latest.latencyMs.p50, scenario.latencyMs.p50),
      latest === undefined ? 'n/a' : ratio(latest.latencyMs.p99, scenario.latencyMs.p99),
    ];
  });
  const growth = `${sizes.at(-1) ?? ''}/${sizes[0] ?? ''}`;
  const headers = [
    'scenario',
    ...sizes.map((size) => `p50 ${size}`),
    ...sizes.map((size) => `p99 ${size}`),
    `p50 ${growth}`,
    `p99 ${growth}`,
  ];
  return `${markdownTable(headers, rows)}\n`;
}
