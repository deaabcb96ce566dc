import { runDatabaseTool } from '../database-tool.js';
import { parseCommandLine } from '../parse-command-line.js';
import { projectionDrift } from './projection-drift.js';
import { rebuildProjection } from './rebuild-projection.js';

/**
 * `npm run projections:rebuild [-- --check]`: reports the columns of the read projection
 * (spec.md §3.1) that have drifted from the write model, rebuilds them from it, and checks again.
 * Writes to the tables involved wait while it rebuilds (`rebuildProjection`). Exits 1 if anything
 * is still off. With `--check` it only reports, locking nothing, and exits 1 if anything drifted.
 */
const { values } = parseCommandLine(
  { options: { check: { type: 'boolean', default: false } } },
  'usage: npm run projections:rebuild [-- --check]',
);
await runDatabaseTool(async ({ log, database }) => {
  const off = (await projectionDrift(database.db)).filter((drift) => drift.rowsOff > 0);
  log.info(
    { drifted: off },
    off.length === 0
      ? 'no projected column has drifted'
      : 'projected columns drifted from the write model',
  );
  if (values.check) {
    if (off.length > 0) process.exitCode = 1;
  } else {
    await rebuildProjection(database.db);
    const left = (await projectionDrift(database.db)).filter((drift) => drift.rowsOff > 0);
    if (left.length > 0) {
      log.error({ drifted: left }, 'the projection still drifts after the rebuild');
      process.exitCode = 1;
    } else {
      log.info({}, 'the projection equals the write model');
    }
  }
});
