import { runDatabaseTool } from './database-tool.js';
import { parseCommandLine } from './parse-command-line.js';

/**
 * `npm run db:migrate`: applies pending migrations to `DATABASE_URL`, or to the embedded
 * database under `DATA_DIR` when it is unset. Production runs this as a separate step, as the
 * role that owns the schema.
 */
// It takes no arguments: one given (a `--dry-run` it does not have) is refused, not ignored.
parseCommandLine({}, 'usage: npm run db:migrate');
await runDatabaseTool(async ({ log, database }) => {
  await database.migrate();
  log.info({ database: database.kind }, 'migrations applied');
});
