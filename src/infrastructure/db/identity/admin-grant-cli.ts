import { isDomainError } from '../../../domain/shared/errors.js';
import { createEventConsumers } from '../../events/consumers.js';
import { runDatabaseTool } from '../database-tool.js';
import { exitWithUsage, parseCommandLine } from '../parse-command-line.js';
import { createSystemAdministration } from './system-administration.js';

/**
 * `npm run admin:grant -- --username NAME [--reason TEXT]`: makes an account an admin, the way
 * the first admin comes to be (spec.md §8). Recorded like any role grant (audit entry, event,
 * the account's tokens revoked), with `system` as the actor. Exits 1 if it can't.
 */
const USAGE = 'usage: npm run admin:grant -- --username NAME [--reason TEXT]';
const { values } = parseCommandLine(
  {
    options: {
      username: { type: 'string' },
      reason: { type: 'string', default: 'granted with npm run admin:grant' },
    },
  },
  USAGE,
);
if (values.username === undefined) exitWithUsage(USAGE);
const { username, reason } = values;
await runDatabaseTool(async ({ config, log, database: { db } }) => {
  const { consumers, close } = createEventConsumers(config, db, log);
  const administration = createSystemAdministration(db, consumers);
  try {
    const account = await administration.changeRole('system', username, { role: 'admin', reason });
    // An account that was an admin already is left as it was, and a suspended one stays so.
    log.info({ account }, `${account.username} is an admin (status: ${account.status})`);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    log.error({ error: error.message }, `no admin granted: ${error.message}`);
    process.exitCode = 1;
  } finally {
    await close();
  }
});
