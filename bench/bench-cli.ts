import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BenchReport, BenchRun } from './report/bench-results.js';
import { formatBudgets } from './report/budgets.js';
import { formatComparison, formatCurve, formatRun } from './report/format-results.js';
import { failedScenarios } from './report/rounds.js';
import { orExitWithUsage, parseBenchOptions, readComparedReport } from './load/bench-options.js';
import { stderrLog } from './load/bench-log.js';
import { createCleanup } from './load/cleanup.js';
import { expectRedisAnswers } from './load/redis-check.js';
import { runSize } from './load/run-size.js';
import { checkReusable } from './load/bench-target.js';

/**
 * `npm run bench`: seeds each size, measures the ceilings and every Keel scenario with servers
 * in their own processes, prints Markdown (each size as it ends, then the curve and the budgets
 * the sizes run can judge) and exits 1 if any scenario had an error or a non-2xx response.
 * Timings never fail it: a budget that fails is reported, not enforced, since timings on a shared
 * machine vary.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = stderrLog;

const options = await orExitWithUsage(() => parseBenchOptions(process.argv.slice(2)));
// Read before any size runs: `--out` may name the same file, which each size rewrites; and a file
// that is missing or holds no report is said at once, not after the run.
const { comparePath } = options;
const previous =
  comparePath === undefined
    ? undefined
    : await orExitWithUsage(() => readComparedReport(comparePath));
await orExitWithUsage(() => checkReusable(options));
if (options.redisUrl !== undefined) await expectRedisAnswers(options.redisUrl);
const cleanup = createCleanup(log);
const runs: BenchRun[] = [];
const report: BenchReport = { runs };
for (const size of options.sizes) {
  try {
    const run = await runSize({ options, size, root: ROOT, cleanup, log });
    runs.push(run);
    // Printed and written as each size ends, so a later size that fails keeps the earlier ones.
    process.stdout.write(`\n${formatRun(run)}`);
    if (options.outPath !== undefined) {
      await writeFile(options.outPath, `${JSON.stringify(report, null, 2)}\n`);
      log.info(`size ${size.name.toUpperCase()}: results written to ${options.outPath}`);
    }
  } finally {
    // Each size's servers and database go before the next size is seeded.
    await cleanup.run();
  }
}

process.stdout.write(formatCurve(report));
process.stdout.write(`\n${formatBudgets(report)}`);
if (previous !== undefined) {
  process.stdout.write(
    `\ncompared with ${String(comparePath)}\n\n${formatComparison(report, previous)}`,
  );
}
const failed = runs.flatMap(failedScenarios);
if (failed.length > 0) {
  log.warn(`FAILED: ${failed.join(', ')}`);
  process.exitCode = 1;
}
