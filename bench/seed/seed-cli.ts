import { join } from 'node:path';
import { exitWithUsage, parseCommandLine } from '../../src/infrastructure/db/parse-command-line.js';
import { orExitWithUsage, whole } from '../load/bench-options.js';
import { findSize, unknownSize } from './dataset-sizes.js';
import {
  benchDatabaseName,
  createBenchDatabase,
  DEFAULT_ADMIN_URL,
  markSeeded,
} from './bench-database.js';
import { createProgress } from './progress.js';
import {
  openEmbeddedSeedConnection,
  openPostgresSeedConnection,
  type SeedConnection,
} from './seed-connection.js';
import { seedDatabase } from './seed-database.js';
import { formatSeedReport, invariantsHold } from './seed-report.js';

/**
 * `npm run db:seed -- --size s|m|l [--seed N] [--database-url URL | --data-dir DIR] [--admin-url URL]`
 * Without a target, creates (or recreates) the database keel_bench_<size> on the local server.
 */
const USAGE =
  'usage: npm run db:seed -- [--size s|m|l] [--seed N] [--database-url URL | --data-dir DIR] [--admin-url URL]';
const { values } = parseCommandLine(
  {
    options: {
      size: { type: 'string', default: 's' },
      seed: { type: 'string', default: '1' },
      'database-url': { type: 'string' },
      'data-dir': { type: 'string' },
      'admin-url': { type: 'string', default: DEFAULT_ADMIN_URL },
    },
  },
  USAGE,
);
const size = findSize(values.size) ?? exitWithUsage(USAGE, unknownSize(values.size));
const seed = await orExitWithUsage(() => whole('seed', values.seed, 0), USAGE);
if (values['data-dir'] !== undefined && values['database-url'] !== undefined) {
  exitWithUsage(USAGE, '--database-url and --data-dir name two targets: give one');
}

// The bench's own database, created here, when no target is named.
const ownDatabase =
  values['data-dir'] === undefined && values['database-url'] === undefined
    ? benchDatabaseName(size.name)
    : undefined;

async function open(): Promise<SeedConnection> {
  // Under DIR/pglite, where Keel with DATA_DIR=DIR opens its embedded database.
  if (values['data-dir'] !== undefined)
    return openEmbeddedSeedConnection(join(values['data-dir'], 'pglite'));
  const url =
    values['database-url'] ??
    (await createBenchDatabase(values['admin-url'], benchDatabaseName(size.name)));
  process.stdout.write(
    `seeding ${new URL(url).pathname.slice(1)} (size ${size.name}, seed ${String(seed)})\n`,
  );
  return openPostgresSeedConnection(url);
}

const connection = await open();
try {
  const report = await seedDatabase(connection, size, seed, createProgress());
  process.stdout.write(formatSeedReport(report));
  if (!invariantsHold(report)) process.exitCode = 1;
} finally {
  await connection.close();
}
// Only a whole, sound dataset is marked: `npm run bench -- --reuse` measures no other.
if (ownDatabase !== undefined && process.exitCode !== 1) {
  await markSeeded(values['admin-url'], ownDatabase, { size: size.name, seed });
}
