import autocannon from 'autocannon';
import type { ScenarioResult } from '../report/bench-results.js';
import type { ChildServer } from './child-server.js';
import type { DatabaseCpu } from './database-cpu.js';
import { readRetries } from './database-retries.js';
import { readProcessUsage, resetPeakRss } from './process-usage.js';
import type { Scenario } from './scenarios.js';

export interface LoadSettings {
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
}

const MIB = 1024 * 1024;

/**
 * The warm-up of a freshly started server's first scenario, at least. Measured on Keel's list
 * (docs/performance.md, "A fresh process's first scenario"): after 2 s of warm-up, its first
 * 8 s window cost 9–25 % more CPU per request than the windows after it, which would count
 * against whichever scenario runs first; after 10 s, the first window was like the others.
 */
const FIRST_WARMUP_SECONDS = 10;

/** The settings of a server's scenario: `first` since the server started, or not. */
export function settingsFor(first: boolean, settings: LoadSettings): LoadSettings {
  return first && settings.warmupSeconds > 0
    ? { ...settings, warmupSeconds: Math.max(settings.warmupSeconds, FIRST_WARMUP_SECONDS) }
    : settings;
}

function load(
  origin: string,
  requests: readonly autocannon.Request[],
  connections: number,
  seconds: number,
): Promise<autocannon.Result> {
  return autocannon({
    url: origin,
    connections,
    duration: seconds,
    requests: [...requests],
    // A request unanswered for 10 s counts as an error rather than stalling the run.
    timeout: 10,
  });
}

/**
 * The requests that got no answer: socket errors and timeouts. autocannon counts a timeout among
 * its errors too (and again in `timeouts`), so its `errors` is the whole count.
 */
export function errorsOf(result: Pick<autocannon.Result, 'errors'>): number {
  return result.errors;
}

/**
 * A freshly started server's long warm-up alone, on `scenario`'s requests, nothing measured: for
 * a server whose first measured window must not come 10 s after the one it is compared with.
 */
export async function warmUp(
  origin: string,
  scenario: Scenario,
  settings: LoadSettings,
): Promise<void> {
  const { warmupSeconds } = settingsFor(true, settings);
  if (warmupSeconds > 0) await load(origin, scenario.requests, settings.connections, warmupSeconds);
}

/**
 * Runs `scenario` against `server`: a warm-up whose numbers are discarded, then the measured
 * window, with the server's CPU time and peak RSS over that window, the load driver's (this
 * process's) CPU time, the database work it ran again when it serves metrics, and the database's
 * CPU time when `database` can read it.
 */
export async function runScenario(
  server: Pick<ChildServer, 'origin' | 'pid' | 'metricsUrl'>,
  scenario: Scenario,
  settings: LoadSettings,
  database: DatabaseCpu | undefined,
): Promise<ScenarioResult> {
  const { origin, pid, metricsUrl } = server;
  const { alongside } = scenario;
  let besideFailures: number | undefined;
  const run = async (seconds: number): Promise<autocannon.Result> => {
    const [result, other] = await Promise.all([
      load(origin, scenario.requests, settings.connections, seconds),
      alongside === undefined
        ? undefined
        : load(origin, alongside.requests, alongside.connections, seconds),
    ]);
    besideFailures = other === undefined ? undefined : errorsOf(other) + other.non2xx;
    return result;
  };
  if (settings.warmupSeconds > 0) await run(settings.warmupSeconds);
  await resetPeakRss(pid);
  const retriesBefore = metricsUrl === undefined ? undefined : await readRetries(metricsUrl);
  const before = await readProcessUsage(pid);
  const databaseBefore = await database?.read();
  const driverBefore = process.cpuUsage();
  const result = await run(settings.durationSeconds);
  const driver = process.cpuUsage(driverBefore);
  const after = await readProcessUsage(pid);
  const databaseAfter = await database?.read();
  const retriesAfter = metricsUrl === undefined ? undefined : await readRetries(metricsUrl);

  const errors = errorsOf(result);
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]),
  );
  return {
    name: scenario.name,
    description: scenario.description,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors,
    statusCodes,
    serverCpuSeconds: after.cpuSeconds - before.cpuSeconds,
    serverPeakRssMiB: after.peakRssBytes / MIB,
    driverCpuSeconds: (driver.user + driver.system) / 1e6,
    ...(databaseBefore !== undefined &&
      databaseAfter !== undefined && { databaseCpuSeconds: databaseAfter - databaseBefore }),
    ...(retriesBefore !== undefined &&
      retriesAfter !== undefined && { databaseRetries: retriesAfter - retriesBefore }),
    ...(besideFailures !== undefined && { besideFailures }),
    failed:
      errors > 0 || result.non2xx > 0 || result.requests.total === 0 || (besideFailures ?? 0) > 0,
  };
}
