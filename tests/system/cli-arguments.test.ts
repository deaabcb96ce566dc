import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * Arguments a command-line tool can't read (`parseArgs` refuses them) are a misuse like any
 * other: its usage and exit 2, no stack trace. Refused before the tool opens a database, so the
 * data directory stays empty.
 */

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keel-cli-arguments-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

/**
 * Runs `script` with `args`, which it can't run with: it says what is wrong (`problem`) and how it
 * is used, exits 2 without a stack trace, and leaves the data directory empty.
 */
async function expectMisuse(
  script: string,
  args: readonly string[],
  problem: string,
  usage: string,
): Promise<void> {
  const { code, output } = await runCli(script, dataDir, args);
  expect(code, output).toBe(2);
  expect(output).toContain(problem);
  expect(output).toContain(usage);
  expect(output).not.toMatch(/^\s+at /m);
  expect(await readdir(dataDir)).toEqual([]);
}

describe('command-line arguments that cannot be read', { timeout: 60_000 }, () => {
  it.each([
    [
      'src/infrastructure/db/outbox/dead-letters-cli.ts',
      ['redrive', '-5'],
      "Unknown option '-5'",
      'usage: npm run outbox:dead-letters -- list [--limit N]',
    ],
    [
      'src/infrastructure/db/identity/admin-grant-cli.ts',
      ['--username'],
      "Option '--username <value>' argument missing",
      'usage: npm run admin:grant -- --username NAME [--reason TEXT]',
    ],
    [
      'src/infrastructure/db/identity/admin-grant-cli.ts',
      ['--username', 'someone', '--reason'],
      "Option '--reason <value>' argument missing",
      'usage: npm run admin:grant -- --username NAME [--reason TEXT]',
    ],
    [
      'src/infrastructure/db/projections/rebuild-cli.ts',
      ['--chek'],
      "Unknown option '--chek'",
      'usage: npm run projections:rebuild [-- --check]',
    ],
    [
      'src/infrastructure/db/audit/rebuild-cli.ts',
      ['--dry-run'],
      "Unknown option '--dry-run'",
      'usage: npm run audit:rebuild',
    ],
    [
      'src/infrastructure/db/audit/verify-cli.ts',
      ['5'],
      "Unexpected argument '5'",
      'usage: npm run audit:verify',
    ],
    [
      'src/infrastructure/db/migrate-cli.ts',
      ['--dry-run'],
      "Unknown option '--dry-run'",
      'usage: npm run db:migrate',
    ],
  ])('%s %j: says what is wrong, prints its usage, exits 2', expectMisuse);
});

describe("the bench's commands misused", { timeout: 60_000 }, () => {
  it.each([
    ['bench/bench-cli.ts', ['--sise', 'm'], "Unknown option '--sise'", 'npm run bench --'],
    ['bench/bench-cli.ts', ['m'], "Unexpected argument 'm'", 'npm run bench --'],
    ['bench/bench-cli.ts', ['--size', 'x'], 'unknown size "x": use s, m or l', 'npm run bench --'],
    ['bench/bench-cli.ts', ['--warmup=-1'], '--warmup must be a whole number', 'npm run bench'],
    [
      'bench/bench-cli.ts',
      ['--database', 'embedded', '--database-url', 'postgres://127.0.0.1/keel'],
      '--database-url names a PostgreSQL database',
      'npm run bench --',
    ],
    [
      'bench/bench-cli.ts',
      // Were --only let through, the missing --compare file would stop the run before a seed.
      ['--only', 'list,fead', '--compare', 'no-such-report.json'],
      '--only: no Keel scenario\'s name contains "fead"; the names are "list anonymous", ',
      'npm run bench --',
    ],
    [
      'bench/bench-cli.ts',
      ['--compare', 'no-such-report.json'],
      '--compare: cannot read no-such-report.json',
      'npm run bench --',
    ],
    ['bench/seed/seed-cli.ts', ['--sise', 'm'], "Unknown option '--sise'", 'npm run db:seed --'],
    [
      'bench/seed/seed-cli.ts',
      ['--size', 'q'],
      'unknown size "q": use s, m or l',
      'npm run db:seed --',
    ],
    ['bench/seed/seed-cli.ts', ['--seed', '7x'], '--seed must be a whole number', 'db:seed'],
    ['bench/seed/seed-cli.ts', ['--seed', '1e21'], '--seed must be a whole number', 'db:seed'],
    ['bench/bench-cli.ts', ['--seed', '1e21'], '--seed must be a whole number', 'npm run bench'],
    [
      'bench/seed/seed-cli.ts',
      ['--data-dir', 'data', '--database-url', 'postgres://127.0.0.1/keel'],
      '--database-url and --data-dir name two targets',
      'npm run db:seed --',
    ],
    ['bench/plans/plans-cli.ts', ['--size', 'xl'], 'unknown size "xl"', 'npm run bench:plans --'],
  ])('%s %j: says what is wrong, prints its usage, exits 2', expectMisuse);
});
