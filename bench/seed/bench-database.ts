import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/** The local server's maintenance database, where databases are created and dropped. */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

// The bench only ever creates or drops databases in its own namespace.
const BENCH_DATABASE = /^keel_bench_[a-z0-9_]+$/;

export function benchDatabaseName(sizeName: string): string {
  return `keel_bench_${sizeName}`;
}

/** The URL of database `name` on the server `adminUrl` points at. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function checked(name: string): string {
  if (!BENCH_DATABASE.test(name)) throw new Error(`refusing to touch database "${name}"`);
  return pg.escapeIdentifier(name);
}

/** Administrative statements (CREATE/DROP DATABASE) have no Drizzle builder: plain pg here. */
async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withAdmin(adminUrl, async (client) => {
    const result = await client.query('select 1 from pg_database where datname = $1', [name]);
    return result.rowCount === 1;
  });
}

/** Drops database `name` if it exists; waits briefly for closing pools to hang up first. */
export function dropBenchDatabase(adminUrl: string, name: string): Promise<void> {
  return withAdmin(adminUrl, async (client) => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const { rows } = await client.query<{ sessions: number }>(
        'select count(*)::int as sessions from pg_stat_activity where datname = $1',
        [name],
      );
      if (rows[0]?.sessions === 0) break;
      await sleep(100);
    }
    await client.query(`DROP DATABASE IF EXISTS ${checked(name)} WITH (FORCE)`);
  });
}

/** What a finished seed left on its database: which size and seed it loaded. */
export interface SeedMark {
  readonly size: string;
  readonly seed: number;
}

const MARK = /^keel bench: size ([a-z]+), seed (\d+)$/;

/**
 * Marks database `name` as seeded to the end, with the size and seed it holds (its comment), so
 * that `--reuse` measures only a whole dataset, and the one its report will name.
 */
export function markSeeded(adminUrl: string, name: string, mark: SeedMark): Promise<void> {
  const text = `keel bench: size ${mark.size}, seed ${String(mark.seed)}`;
  return withAdmin(adminUrl, async (client) => {
    await client.query(`COMMENT ON DATABASE ${checked(name)} IS ${pg.escapeLiteral(text)}`);
  });
}

/** The mark a finished seed left on database `name`; none if it never finished. */
export function seedMarkOf(adminUrl: string, name: string): Promise<SeedMark | undefined> {
  return withAdmin(adminUrl, async (client) => {
    const { rows } = await client.query<{ comment: string | null }>(
      "select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1",
      [name],
    );
    const found = MARK.exec(rows[0]?.comment ?? '');
    return found?.[1] === undefined || found[2] === undefined
      ? undefined
      : { size: found[1], seed: Number(found[2]) };
  });
}

/**
 * Why database `name` can't be reused for `wanted`, if it can't: no seed finished there (one
 * stopped part-way leaves tables without their indexes), or it holds another size or seed.
 */
export async function reuseRefusal(
  adminUrl: string,
  name: string,
  wanted: SeedMark,
): Promise<string | undefined> {
  const mark = await seedMarkOf(adminUrl, name);
  if (mark === undefined) {
    return `${name} holds no finished seed (one stopped part-way, or one older than the mark): run without --reuse to seed it afresh`;
  }
  if (mark.size !== wanted.size || mark.seed !== wanted.seed) {
    return `${name} holds size ${mark.size} from seed ${String(mark.seed)}, not size ${wanted.size} from seed ${String(wanted.seed)}: run with that --seed, or without --reuse`;
  }
  return undefined;
}

/** A new, empty database `name` (an older one of the same name is dropped first). */
export async function createBenchDatabase(adminUrl: string, name: string): Promise<string> {
  await dropBenchDatabase(adminUrl, name);
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${checked(name)}`));
  return databaseUrl(adminUrl, name);
}
