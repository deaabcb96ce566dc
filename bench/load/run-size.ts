import { randomBytes } from 'node:crypto';
import { CONFIG_VARIABLES } from '../../src/core/config.js';
import type { DatasetSize } from '../seed/dataset-sizes.js';
import type { BenchRound, BenchRun, ScenarioResult } from '../report/bench-results.js';
import { combineRounds } from '../report/rounds.js';
import { chooses, type BenchOptions } from './bench-options.js';
import { prepareTarget } from './bench-target.js';
import { currentCommit } from './commit.js';
import { startChildServer, type ChildServer, type ChildServerOptions } from './child-server.js';
import { localDatabaseCpu, type DatabaseCpu } from './database-cpu.js';
import type { BenchLog } from './bench-log.js';
import type { Cleanup } from './cleanup.js';
import { loginAll } from './login-pool.js';
import { describeMachine } from './machine.js';
import { runScenario, settingsFor, warmUp, type LoadSettings } from './run-scenario.js';
import {
  bareScenarios,
  ceilingScenarios,
  keelScenarios,
  SELECT_1_CEILING,
  type Scenario,
} from './scenarios.js';
import { sideBySideRound, sideBySideSteps } from './side-by-side.js';

// The bench logs in hundreds of seeded users and writes from one address: it measures the
// server, not its abuse limits, so they are lifted.
const UNLIMITED = {
  RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE: '1000000',
  RATE_LIMIT_LOGIN_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_REGISTRATION_IP_PER_HOUR: '1000000',
  RATE_LIMIT_WRITES_PER_MINUTE: '1000000',
};

function serverEnvironment(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  // Keel's own variables: the servers get the bench's values, never the caller's.
  const inherited = Object.entries(process.env).filter(([key]) => !CONFIG_VARIABLES.includes(key));
  return { ...Object.fromEntries(inherited), ...UNLIMITED, ...extra };
}

export interface SizeContext {
  readonly options: BenchOptions;
  readonly size: DatasetSize;
  readonly root: string;
  readonly cleanup: Cleanup;
  readonly log: BenchLog;
}

/**
 * Measures scenarios on servers. A server's first scenario gets the long warm-up, unless the
 * server was warmed up before it.
 */
interface Measurer {
  readonly measure: (server: ChildServer, scenario: Scenario) => Promise<ScenarioResult>;
  readonly warmUp: (server: ChildServer, scenario: Scenario) => Promise<void>;
}

function measurer(settings: LoadSettings, log: BenchLog, database?: DatabaseCpu): Measurer {
  const warmed = new Set<ChildServer>();
  return {
    measure: async (server, scenario) => {
      log.info(`  ${scenario.name} …`);
      const first = !warmed.has(server);
      warmed.add(server);
      const result = await runScenario(server, scenario, settingsFor(first, settings), database);
      if (result.failed) {
        log.warn(
          `  ${scenario.name} FAILED: ${JSON.stringify(result.statusCodes)}, ${String(result.errors)} errors; server said:\n${server.recentOutput().join('\n')}`,
        );
      }
      return result;
    },
    warmUp: async (server, scenario) => {
      log.info(`  warming up on ${scenario.name} …`);
      warmed.add(server);
      await warmUp(server.origin, scenario, settings);
    },
  };
}

async function measureAll(
  meter: Measurer,
  server: ChildServer,
  scenarios: readonly Scenario[],
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) results.push(await meter.measure(server, scenario));
  return results;
}

/**
 * Seeds (or reuses) one size, then, in each round, measures the ceilings, then Keel, each in its
 * own process; on PostgreSQL, Keel's reads alternate with the ceiling server's bare reads and
 * select 1 (side-by-side.ts). Keel's writes stay in the data, so a later round reads a little
 * more of it.
 */
export async function runSize(context: SizeContext): Promise<BenchRun> {
  const { options, size, root, cleanup, log } = context;
  const startedAt = new Date().toISOString();
  const commit = await currentCommit(root, log);
  const target = await prepareTarget({ options, size, cleanup, log });
  const settings: LoadSettings = {
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    connections: options.connections,
  };
  const databaseEnv = { ...target.serverEnv, DATABASE_POOL_SIZE: String(options.poolSize) };
  const { DATABASE_URL: databaseUrl } = target.serverEnv;
  const databaseCpu = databaseUrl === undefined ? undefined : await localDatabaseCpu(databaseUrl);
  const start = async (
    server: Omit<ChildServerOptions, 'cwd' | 'env'>,
    env: Readonly<Record<string, string>>,
  ): Promise<ChildServer> => {
    const child = await startChildServer({ ...server, cwd: root, env: serverEnvironment(env) });
    cleanup.defer(() => child.stop());
    return child;
  };

  // One secret for the run: the tokens Keel issues below work against the bare reads too, and
  // tokens from an earlier run work against neither.
  const tokenSecret = randomBytes(48).toString('base64url');
  const startKeel = (): Promise<ChildServer> =>
    start(
      {
        name: 'keel',
        args: options.dist
          ? ['--enable-source-maps', 'dist/server.js']
          : ['--import', 'tsx', 'src/server.ts'],
        readyPath: '/api/v1/tags',
        metricsPath: '/metrics',
      },
      {
        ...databaseEnv,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        TOKEN_SECRET: tokenSecret,
        ...(options.redisUrl !== undefined && { REDIS_URL: options.redisUrl }),
      },
    );

  // The users log in first, so the bare reads can take their tokens. In each round Keel's writes
  // come after every read, its own and the bare ones, since they change the data the reads see:
  // the bare reads run before Keel's scenarios, or beside Keel's reads, which keelScenarios lists
  // before its writes.
  let keel = await startKeel();
  log.info(
    `  logging in ${String(target.fixture.users.length + target.fixture.heavyReaders.length)} users`,
  );
  const tokens = {
    users: await loginAll(
      keel.origin,
      target.fixture.users.map((user) => user.email),
    ),
    heavyReaders: await loginAll(
      keel.origin,
      target.fixture.heavyReaders.map((reader) => reader.email),
    ),
  };
  await keel.stop();
  /** The Keel scenarios `--only` chose, built afresh: each list starts its streams over. */
  const chosen = (): Scenario[] =>
    keelScenarios(target.fixture, tokens, options.seed).filter(
      (scenario) =>
        options.only.length === 0 || options.only.some((word) => chooses(word, scenario.name)),
    );

  const meter = measurer(settings, log, databaseCpu);
  const ceilingLoads = ceilingScenarios();
  const selectOne = ceilingLoads.find((scenario) => scenario.name === SELECT_1_CEILING);
  if (selectOne === undefined) throw new Error(`no scenario named ${SELECT_1_CEILING}`);
  // Two processes can't open one PGlite directory: there the ceilings run, then Keel.
  const sideBySide = options.database === 'postgres';
  const rounds: BenchRound[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    const of = options.rounds === 1 ? '' : ` (round ${String(round)} of ${String(options.rounds)})`;
    log.info(`ceilings${of}`);
    const ceilingServer = await start(
      {
        name: 'ceiling server',
        args: ['--import', 'tsx', 'bench/ceilings/ceiling-server.ts'],
        readyPath: '/constant',
      },
      { ...databaseEnv, TOKEN_SECRET: tokenSecret },
    );
    const ceilings = await measureAll(meter, ceilingServer, ceilingLoads);
    if (sideBySide) {
      log.info(`keel beside the ceilings${of}`);
      keel = await startKeel();
      // Each hot read right after its bare read, select 1 around the two (side-by-side.ts).
      const steps = sideBySideSteps(chosen(), bareScenarios(chosen()), selectOne);
      // Keel warms up before the first window, so its first read comes right after it.
      const [first] = steps.filter((step) => step.on === 'keel');
      if (first !== undefined) await meter.warmUp(keel, first.scenario);
      const results: ScenarioResult[] = [];
      for (const step of steps) {
        const server = step.on === 'keel' ? keel : ceilingServer;
        results.push(await meter.measure(server, step.scenario));
      }
      rounds.push(sideBySideRound(ceilings, steps, results));
      await keel.stop();
      await ceilingServer.stop();
    } else {
      ceilings.push(...(await measureAll(meter, ceilingServer, bareScenarios(chosen()))));
      await ceilingServer.stop();
      log.info(`keel${of}`);
      keel = await startKeel();
      rounds.push({ ceilings, scenarios: await measureAll(meter, keel, chosen()) });
      await keel.stop();
    }
  }

  return {
    size: size.name,
    database: options.database,
    seed: options.seed,
    startedAt,
    machine: await describeMachine(options.database, target.serverEnv.DATABASE_URL),
    settings: {
      ...settings,
      poolSize: options.poolSize,
      redis: options.redisUrl !== undefined,
      smoke: options.smoke,
      dist: options.dist,
      reuse: options.reuse,
      only: options.only,
    },
    ...(commit !== undefined && { commit }),
    ...combineRounds(rounds),
    rounds,
  };
}
