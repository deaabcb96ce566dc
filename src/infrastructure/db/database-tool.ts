import { pino, type Logger } from 'pino';
import { loadEnvironmentConfig, type Config } from '../../core/config.js';
import { logFatal } from '../../core/operator-error.js';
import { openConfiguredDatabase, type DatabaseHandle } from './database.js';

/** What a command-line tool's work is given. */
export interface DatabaseTool {
  readonly config: Config;
  readonly log: Logger;
  readonly database: DatabaseHandle;
}

/**
 * Runs a command-line tool's `work` on the configured database (`DATABASE_URL`, or the embedded
 * one under `DATA_DIR`) and closes it afterwards. A tool that fails exits 1, logged as the
 * server's start logs its failure (`logFatal`): a bad setting or a data directory another process
 * holds by its message alone, anything else with its error. A verdict that is no failure (a
 * broken audit chain) is the work's to give, through `process.exitCode`.
 */
export async function runDatabaseTool(work: (tool: DatabaseTool) => Promise<void>): Promise<void> {
  let log = pino();
  try {
    const config = loadEnvironmentConfig();
    log = pino({ level: config.logLevel });
    const database = await openConfiguredDatabase(config, log);
    try {
      await work({ config, log, database });
    } finally {
      await database.close();
    }
  } catch (error) {
    logFatal(log, error, 'the command failed');
    process.exitCode = 1;
  }
}
