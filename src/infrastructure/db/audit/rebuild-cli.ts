import { runDatabaseTool } from '../database-tool.js';
import { parseCommandLine } from '../parse-command-line.js';
import { rebuildStandings } from './standing-projection.js';
import { verifyAuditChain } from './verify.js';

/**
 * `npm run audit:rebuild`: recomputes every account's role and status from the audit stream
 * (spec.md §8) and names the accounts it corrected. Refuses (exit 1) when the chain is broken:
 * a projection of a tampered stream would carry the tampering into the accounts.
 */
// It takes no arguments: one given (a `--dry-run` it does not have) is refused, not ignored.
parseCommandLine({}, 'usage: npm run audit:rebuild');
await runDatabaseTool(async ({ log, database }) => {
  const verdict = await verifyAuditChain(database.db);
  if (verdict.intact) {
    const corrected = await rebuildStandings(database.db);
    log.info(
      { corrected },
      corrected.length === 0
        ? 'every role and status already matched the audit stream'
        : `${String(corrected.length)} accounts corrected from the audit stream`,
    );
  } else {
    log.error(
      verdict,
      `not rebuilt: the audit chain is broken at entry ${String(verdict.sequence)}`,
    );
    process.exitCode = 1;
  }
});
