import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadEnvironmentConfig } from '../../../core/config.js';
import { createAdministration } from '../../../domain/identity/administration.js';
import { isDomainError } from '../../../domain/shared/errors.js';
import { createEventConsumers } from '../../events/consumers.js';
import { consumersOf } from '../../events/outbox.js';
import { createAuditLog } from '../audit/audit-log.js';
import { createAuditTrail } from '../audit/audit-trail.js';
import { openConfiguredDatabase } from '../database.js';
import { createOutboxRecorder } from '../outbox/outbox-recorder.js';
import { writeRetry } from '../retry.js';
import { transactionOn } from '../unit-of-work.js';
import { createAccountRepository } from './account-repository.js';

/**
 * `npm run admin:grant -- --username NAME [--reason TEXT]`: makes an account an admin, the way
 * the first admin comes to be (spec.md §8). Recorded like any role grant (audit entry, event,
 * the account's tokens revoked), with `system` as the actor. Exits 1 if it can't.
 */
const { values } = parseArgs({
  options: {
    username: { type: 'string' },
    reason: { type: 'string', default: 'granted with npm run admin:grant' },
  },
});
const config = loadEnvironmentConfig();
const log = pino({ level: config.logLevel });
if (values.username === undefined) {
  log.error({}, 'usage: npm run admin:grant -- --username NAME [--reason TEXT]');
  process.exit(2);
}
const database = await openConfiguredDatabase(config, log);
const { db } = database;
const { consumers, close } = createEventConsumers(config, db, log);
const administration = createAdministration({
  atomic: (work) => transactionOn(db, work, (attempt) => writeRetry.execute(attempt)),
  // Deliveries for every configured consumer: the servers' relays deliver them.
  events: createOutboxRecorder(db, { consumersOf: consumersOf(consumers) }),
  audit: createAuditTrail(db, () => undefined),
  accounts: createAccountRepository(db),
  auditLog: createAuditLog(db),
});
try {
  const account = await administration.changeRole('system', values.username, {
    role: 'admin',
    reason: values.reason,
  });
  log.info({ account }, `${account.username} is an admin`);
} catch (error) {
  if (!isDomainError(error)) throw error;
  log.error({ error: error.message }, `no admin granted: ${error.message}`);
  process.exitCode = 1;
} finally {
  await close();
  await database.close();
}
