import { parseArgs } from 'node:util';
import { parseSize, type DatasetSize } from '../seed/dataset-sizes.js';
import { DEFAULT_ADMIN_URL } from '../seed/bench-database.js';

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

export const USAGE = `npm run bench -- [--size s[,m,l]] [--duration 10] [--warmup 3] [--connections 10]
  [--pool-size 10] [--rounds 1] [--database postgres|embedded] [--database-url URL]
  [--admin-url URL] [--seed 1] [--reuse] [--keep] [--smoke] [--dist] [--only list,feed]
  [--compare old.json] [--out results.json] [--redis-url URL]`;

function whole(name: string, value: string, min: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    throw new Error(`--${name} must be a whole number ≥ ${String(min)}, got "${value}"\n${USAGE}`);
  }
  return number;
}

export function parseBenchOptions(args: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
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
    },
  });
  if (values.database !== 'postgres' && values.database !== 'embedded') {
    throw new Error(`--database must be postgres or embedded\n${USAGE}`);
  }
  const sizes = values.size.split(',').map(parseSize);
  if (values['database-url'] !== undefined && sizes.length > 1) {
    throw new Error('--database-url holds one dataset: give one --size with it');
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
    only: values.only.split(',').filter((word) => word !== ''),
    comparePath: values.compare,
    outPath: values.out,
  };
}
