import { runDatabaseTool } from '../database-tool.js';
import { parseCommandLine } from '../parse-command-line.js';
import { verifyAuditChain } from './verify.js';

/**
 * `npm run audit:verify`: walks the whole audit stream and checks every link of its hash chain
 * (spec.md §8). Exits 0 when intact; otherwise names the first entry that does not follow from
 * the ones before, and exits 1.
 */
// It takes no arguments: one given (a `--dry-run` it does not have) is refused, not ignored.
parseCommandLine({}, 'usage: npm run audit:verify');
await runDatabaseTool(async ({ log, database }) => {
  const verdict = await verifyAuditChain(database.db);
  if (verdict.intact) {
    log.info({ entries: verdict.entries }, 'the audit chain is intact');
  } else {
    log.error(verdict, `the audit chain is broken at entry ${String(verdict.sequence)}`);
    process.exitCode = 1;
  }
});
