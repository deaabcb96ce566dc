import { pino } from 'pino';
import { loadEnvironmentConfig } from '../../core/config.js';
import { openConfiguredDatabase } from './database.js';
import { parseCommandLine } from './parse-command-line.js';

/**
 * `npm run db:migrate`: applies pending migrations to `DATABASE_URL`, or to the embedded
 * database under `DATA_DIR` when it is unset. Production runs this as a separate step, as the
 * role that owns the schema.
 */
// It takes no arguments: one given (a `--dry-run` it does not have) is refused, not ignored.
parseCommandLine({}, 'usage: npm run db:migrate');
const config = loadEnvironmentConfig();
const log = pino({ level: config.logLevel });
const database = await openConfiguredDatabase(config, log);
try {
  await database.migrate();
  log.info({ database: database.kind }, 'migrations applied');
} finally {
  await database.close();
}
