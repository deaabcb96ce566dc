import {
  createAdministration,
  type Administration,
} from '../../../domain/identity/administration.js';
import type { EventConsumer } from '../../../domain/shared/events.js';
import { consumersOf } from '../../events/outbox.js';
import { createAuditLog } from '../audit/audit-log.js';
import { createAuditTrail } from '../audit/audit-trail.js';
import type { Database } from '../database.js';
import { createOutboxRecorder } from '../outbox/outbox-recorder.js';
import { writeRetry } from '../retry.js';
import { transactionOn } from '../unit-of-work.js';
import { createAccountRepository } from './account-repository.js';

/**
 * Administration outside a server (`npm run admin:grant`): the server's own service, its events
 * recorded with a delivery for each of `consumers` (the servers' relays deliver them) and its
 * audit entries without a request id.
 */
export function createSystemAdministration(
  database: Database,
  consumers: readonly EventConsumer[],
): Administration {
  return createAdministration({
    atomic: (work) => transactionOn(database, work, (attempt) => writeRetry.execute(attempt)),
    events: createOutboxRecorder(database, { consumersOf: consumersOf(consumers) }),
    audit: createAuditTrail(database, () => undefined),
    accounts: createAccountRepository(database),
    auditLog: createAuditLog(database),
  });
}
