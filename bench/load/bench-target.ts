import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectPostgres } from '../../src/infrastructure/db/database.js';
import {
  benchDatabaseName,
  createBenchDatabase,
  databaseExists,
  databaseUrl,
  dropBenchDatabase,
  markSeeded,
  reuseRefusal,
} from '../seed/bench-database.js';
import type { DatasetSize } from '../seed/dataset-sizes.js';
import { createProgress } from '../seed/progress.js';
import {
  openEmbeddedSeedConnection,
  openPostgresSeedConnection,
  type SeedConnection,
} from '../seed/seed-connection.js';
import { seedDatabase } from '../seed/seed-database.js';
import { formatSeedReport, invariantsHold } from '../seed/seed-report.js';
import { BenchOptionsError, type BenchOptions } from './bench-options.js';
import { loadFixture, type BenchFixture, type FixtureSizes } from './bench-fixture.js';
import type { BenchLog } from './bench-log.js';
import type { Cleanup } from './cleanup.js';

/** A seeded database, how a server process reaches it, and the sample the scenarios draw from. */
export interface BenchTarget {
  /** DATABASE_URL for PostgreSQL, DATA_DIR for PGlite. */
  readonly serverEnv: Readonly<Record<string, string>>;
  readonly fixture: BenchFixture;
}

export interface TargetContext {
  readonly options: BenchOptions;
  readonly size: DatasetSize;
  readonly cleanup: Cleanup;
  readonly log: BenchLog;
}

function fixtureSizes(options: BenchOptions): FixtureSizes {
  return options.smoke
    ? { users: 40, heavyReaders: 5, slugs: 500 }
    : { users: 200, heavyReaders: 20, slugs: 2_000 };
}

async function seedInto(connection: SeedConnection, context: TargetContext): Promise<void> {
  const report = await seedDatabase(
    connection,
    context.size,
    context.options.seed,
    createProgress(),
  );
  context.log.info(formatSeedReport(report));
  if (!invariantsHold(report)) throw new Error('the seeded data breaks an invariant (see above)');
}

/** PGlite in a temporary directory, seeded in this process before Keel opens it. */
async function embeddedTarget(context: TargetContext): Promise<BenchTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), `keel-bench-${context.size.name}-`));
  if (context.options.keep) context.log.info(`keeping the PGlite data in ${dataDir}`);
  else context.cleanup.defer(() => rm(dataDir, { recursive: true, force: true }));
  const connection = await openEmbeddedSeedConnection(join(dataDir, 'pglite'));
  try {
    await seedInto(connection, context);
    const fixture = await loadFixture(
      connection.db,
      fixtureSizes(context.options),
      context.options.seed,
    );
    return { serverEnv: { DATA_DIR: dataDir }, fixture };
  } finally {
    // PGlite has one owner at a time: the servers open the directory after this closes it.
    await connection.close();
  }
}

/** keel_bench_<size> on the local server: reused with --reuse, else seeded afresh; dropped unless --keep. */
async function postgresTarget(context: TargetContext): Promise<BenchTarget> {
  const { options, size, cleanup, log } = context;
  let url = options.databaseUrl;
  if (url === undefined) {
    const name = benchDatabaseName(size.name);
    if (options.reuse && (await databaseExists(options.adminUrl, name))) {
      log.info(`reusing ${name}`);
      url = databaseUrl(options.adminUrl, name);
    } else {
      log.info(`seeding ${name} (size ${size.name}, seed ${String(options.seed)})`);
      url = await createBenchDatabase(options.adminUrl, name);
      if (!options.keep) cleanup.defer(() => dropBenchDatabase(options.adminUrl, name));
      const connection = await openPostgresSeedConnection(url);
      try {
        await seedInto(connection, context);
      } finally {
        await connection.close();
      }
      await markSeeded(options.adminUrl, name, { size: size.name, seed: options.seed });
    }
  }
  const handle = connectPostgres(
    { url, poolSize: 2, statementTimeoutMs: 60_000, connectionTimeoutMs: 5_000 },
    {
      warn: (details, message) => {
        log.warn(`${message} ${JSON.stringify(details)}`);
      },
    },
  );
  try {
    const fixture = await loadFixture(handle.db, fixtureSizes(options), options.seed);
    return { serverEnv: { DATABASE_URL: url }, fixture };
  } finally {
    await handle.close();
  }
}

/**
 * With `--reuse`, each kept keel_bench_<size> must hold a finished seed of that size and of
 * `--seed` (`reuseRefusal`): refused before anything runs, as options the bench can't run with.
 */
export async function checkReusable(options: BenchOptions): Promise<void> {
  if (!options.reuse || options.database !== 'postgres' || options.databaseUrl !== undefined) {
    return;
  }
  for (const size of options.sizes) {
    const name = benchDatabaseName(size.name);
    if (!(await databaseExists(options.adminUrl, name))) continue;
    const refusal = await reuseRefusal(options.adminUrl, name, {
      size: size.name,
      seed: options.seed,
    });
    if (refusal !== undefined) throw new BenchOptionsError(refusal);
  }
}

export function prepareTarget(context: TargetContext): Promise<BenchTarget> {
  return context.options.database === 'embedded'
    ? embeddedTarget(context)
    : postgresTarget(context);
}
