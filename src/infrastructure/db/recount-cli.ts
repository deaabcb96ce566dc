import { pino } from 'pino';
import { loadEnvironmentConfig } from '../../core/config.js';
import { counterDrift } from './articles/counter-drift.js';
import { recountCounters } from './articles/recount.js';
import { openConfiguredDatabase } from './database.js';

/**
 * `npm run db:recount`: reports the counters and copies of spec.md §3 that have drifted, repairs
 * them from the rows they summarise, and checks again. Writes to the tables involved wait while
 * it runs (`recountCounters`). Exits 1 if anything is still off afterwards.
 */
const config = loadEnvironmentConfig();
const log = pino({ level: config.logLevel });
const database = await openConfiguredDatabase(config, log);
try {
  const off = (await counterDrift(database.db)).filter((drift) => drift.rowsOff > 0);
  log.info({ drifted: off }, off.length === 0 ? 'no counter has drifted' : 'counters drifted');
  await recountCounters(database.db);
  const left = (await counterDrift(database.db)).filter((drift) => drift.rowsOff > 0);
  if (left.length > 0) {
    log.error({ drifted: left }, 'counters still drifted after the recount');
    process.exitCode = 1;
  } else {
    log.info({}, 'every counter is exact');
  }
} finally {
  await database.close();
}
