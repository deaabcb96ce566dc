import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/core/app.js';
import { openEmbedded, type Database } from '../../src/infrastructure/db/database.js';
import { TEST_APP_OPTIONS, TEST_ENVIRONMENT } from './app.js';

const ROOT = join(import.meta.dirname, '../..');

/**
 * How long a tool may run before it is stopped: past every caller's own test timeout (at most
 * 120 s), so a tool that should have exited at once (a misuse that starts a whole bench run
 * instead) is not left running after its test has failed.
 */
const CLI_TIMEOUT_MS = 150_000;

/**
 * Runs one of Keel's command-line tools (`script`, from the repository root) as an operator
 * would: its own process, on the embedded database under `dataDir`, with `environment` over the
 * test settings. Resolves with its exit code and everything it printed.
 */
export function runCli(
  script: string,
  dataDir: string,
  args: readonly string[],
  environment: Readonly<Record<string, string>> = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [script, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...TEST_ENVIRONMENT,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // SIGTERM, which tsx passes on to the tool's own process; SIGKILL would leave that behind.
    timeout: CLI_TIMEOUT_MS,
    killSignal: 'SIGTERM',
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A test worker that ends first (the run is over, the test timed out) stops the tool with it.
  const stop = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', stop);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      process.removeListener('exit', stop);
      resolve({ code, output });
    });
  });
}

/** Opens the embedded database under `dataDir` for `read` (one process at a time may hold it). */
export async function inspectEmbedded<T>(
  dataDir: string,
  read: (db: Database) => Promise<T>,
): Promise<T> {
  const handle = await openEmbedded(join(dataDir, 'pglite'));
  try {
    return await read(handle.db);
  } finally {
    await handle.close();
  }
}

/**
 * A new temporary data directory holding a migrated embedded database, with what `seed` put in it
 * through a Keel app (and its database handle) that is closed afterwards, for a tool to run on.
 */
export async function seededDataDir<T>(
  prefix: string,
  seed: (app: FastifyInstance, db: Database) => Promise<T>,
): Promise<{ readonly dataDir: string; readonly seeded: T }> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const database = await openEmbedded(join(dataDir, 'pglite'));
  try {
    await database.migrate();
    const app = await buildApp({ ...TEST_APP_OPTIONS, database });
    try {
      return { dataDir, seeded: await seed(app, database.db) };
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}
