import { loadEnvironmentConfig } from '../../core/config.js';
import { connectPostgres, openEmbedded } from './database.js';

/**
 * `npm run db:migrate`: applies pending migrations to `DATABASE_URL`, or to the embedded
 * database under `DATA_DIR` when it is unset. Production runs this as a separate step.
 */
const config = loadEnvironmentConfig();
const database =
  config.database.kind === 'postgres'
    ? connectPostgres(config.database)
    : await openEmbedded(`${config.dataDir}/pglite`);
try {
  await database.migrate();
  process.stdout.write(`migrations applied (${database.kind})\n`);
} finally {
  await database.close();
}
