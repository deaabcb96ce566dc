import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { exitWithUsage, isArgumentError } from '../../src/infrastructure/db/parse-command-line.js';
import type { BenchReport } from '../report/bench-results.js';
import { findSize, unknownSize, type DatasetSize } from '../seed/dataset-sizes.js';
import { DEFAULT_ADMIN_URL } from '../seed/bench-database.js';
import { KEEL_SCENARIOS } from './scenarios.js';

export interface BenchOptions {
  readonly sizes: readonly DatasetSize[];
  readonly seed: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  /** How many times the ceilings and Keel's scenarios run in turn; each reported as the median. */
  readonly rounds: number;
  /** Keel's DATABASE_POOL_SIZE, and the select-1 ceiling's pool size. */
  readonly poolSize: number;
  readonly database: 'postgres' | 'embedded';
  /** An already seeded database to use as is (never seeded nor dropped by the bench). */
  readonly databaseUrl: string | undefined;
  readonly adminUrl: string;
  /** Use keel_bench_<size> when it exists instead of seeding it afresh. */
  readonly reuse: boolean;
  /** Leave the bench database (or PGlite directory) in place at the end. */
  readonly keep: boolean;
  /** CI: short, fewer logins; fails only on errors, never on timings. */
  readonly smoke: boolean;
  /** Run the built server (dist/server.js, after `npm run build`) instead of src through tsx. */
  readonly dist: boolean;
  /**
   * Keel's REDIS_URL: rate limits counted in Redis and the anonymous reads cached (spec.md §5).
   * Without it Keel counts in memory and, on PostgreSQL, caches nothing.
   */
  readonly redisUrl: string | undefined;
  /** Keel scenarios whose name contains one of these words (all when empty); ceilings always run. */
  readonly only: readonly string[];
  readonly comparePath: string | undefined;
  readonly outPath: string | undefined;
}

export const USAGE = `usage: npm run bench -- [--size s[,m,l]] [--duration 10] [--warmup 3] [--connections 10]
  [--pool-size 10] [--rounds 1] [--database postgres|embedded] [--database-url URL]
  [--admin-url URL] [--seed 1] [--reuse] [--keep] [--smoke] [--dist] [--only list,feed]
  [--compare old.json] [--out results.json] [--redis-url URL]`;

/** Options the bench can't run with: what is wrong, said to whoever typed them. */
export class BenchOptionsError extends Error {}

/**
 * Option `--name`'s value as a whole number of at least `min`, exact in a double (a seed of
 * `1e21` would be written back as `1e+21`); throws `BenchOptionsError` otherwise.
 */
export function whole(name: string, value: string, min: number): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(number) || number < min) {
    throw new BenchOptionsError(
      `--${name} must be a whole number ≥ ${String(min)}, got "${value}"`,
    );
  }
  return number;
}

/** `--only`'s rule: a word chooses each Keel scenario whose name contains it. */
export const chooses = (word: string, name: string): boolean => name.includes(word);

/**
 * `--only`'s words; throws `BenchOptionsError` when one chooses no scenario, which would otherwise
 * be dropped and leave a run of fewer scenarios than asked for (none, with the ceilings alone).
 */
function onlyWords(value: string): string[] {
  const words = value.split(',').filter((word) => word !== '');
  const unmatched = words.filter((word) => !KEEL_SCENARIOS.some((name) => chooses(word, name)));
  if (unmatched.length > 0) {
    const quoted = (list: readonly string[]): string =>
      list.map((item) => JSON.stringify(item)).join(', ');
    throw new BenchOptionsError(
      `--only: no Keel scenario's name contains ${quoted(unmatched)}; the names are ${quoted(KEEL_SCENARIOS)}`,
    );
  }
  return words;
}

function sizeNamed(value: string): DatasetSize {
  const size = findSize(value);
  if (size === undefined) throw new BenchOptionsError(unknownSize(value));
  return size;
}

const OPTIONS = {
  size: { type: 'string', default: 's' },
  seed: { type: 'string', default: '1' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  connections: { type: 'string', default: '10' },
  'pool-size': { type: 'string', default: '10' },
  rounds: { type: 'string', default: '1' },
  database: { type: 'string', default: 'postgres' },
  'database-url': { type: 'string' },
  'admin-url': { type: 'string', default: DEFAULT_ADMIN_URL },
  reuse: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  smoke: { type: 'boolean', default: false },
  dist: { type: 'boolean', default: false },
  only: { type: 'string', default: '' },
  compare: { type: 'string' },
  out: { type: 'string' },
  'redis-url': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** `parseArgs` strict: an unknown option, an option without its value or a stray word refused. */
function readArguments(
  args: readonly string[],
): ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS }>> {
  try {
    return parseArgs({ args: [...args], options: OPTIONS });
  } catch (error) {
    if (isArgumentError(error)) throw new BenchOptionsError(error.message, { cause: error });
    throw error;
  }
}

/** The options in `args`; throws `BenchOptionsError` for options the bench can't run with. */
export function parseBenchOptions(args: readonly string[]): BenchOptions {
  const { values } = readArguments(args);
  if (values.database !== 'postgres' && values.database !== 'embedded') {
    throw new BenchOptionsError('--database must be postgres or embedded');
  }
  const sizes = values.size.split(',').map(sizeNamed);
  if (values['database-url'] !== undefined && sizes.length > 1) {
    throw new BenchOptionsError('--database-url holds one dataset: give one --size with it');
  }
  if (values['database-url'] !== undefined && values.database === 'embedded') {
    throw new BenchOptionsError(
      '--database-url names a PostgreSQL database: leave it out with --database embedded',
    );
  }
  return {
    sizes,
    seed: whole('seed', values.seed, 0),
    durationSeconds: whole('duration', values.duration ?? (values.smoke ? '3' : '10'), 1),
    warmupSeconds: whole('warmup', values.warmup ?? (values.smoke ? '1' : '3'), 0),
    connections: whole('connections', values.connections, 1),
    poolSize: whole('pool-size', values['pool-size'], 1),
    rounds: whole('rounds', values.rounds, 1),
    database: values.database,
    databaseUrl: values['database-url'],
    adminUrl: values['admin-url'],
    reuse: values.reuse,
    keep: values.keep,
    smoke: values.smoke,
    dist: values.dist,
    redisUrl: values['redis-url'],
    only: onlyWords(values.only),
    comparePath: values.compare,
    outPath: values.out,
  };
}

/**
 * The report `--compare` names; throws `BenchOptionsError` when it can't be read or is not a
 * report the bench wrote.
 */
export async function readComparedReport(path: string): Promise<BenchReport> {
  let report: unknown;
  try {
    report = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new BenchOptionsError(`--compare: cannot read ${path} (${String(error)})`, {
      cause: error,
    });
  }
  if (
    typeof report !== 'object' ||
    report === null ||
    !Array.isArray((report as BenchReport).runs)
  ) {
    throw new BenchOptionsError(`--compare: ${path} is not a report the bench wrote with --out`);
  }
  return report as BenchReport;
}

/**
 * What `read` returns, or, for options the command can't run with (`BenchOptionsError`), why and
 * its usage (the bench's unless another is given) on stderr; exit 2.
 */
export async function orExitWithUsage<T>(read: () => T | Promise<T>, usage = USAGE): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof BenchOptionsError)) throw error;
    exitWithUsage(usage, error.message);
  }
}
