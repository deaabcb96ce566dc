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

/** A new, empty database `name` (an older one of the same name is dropped first). */
export async function createBenchDatabase(adminUrl: string, name: string): Promise<string> {
  await dropBenchDatabase(adminUrl, name);
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${checked(name)}`));
  return databaseUrl(adminUrl, name);
}
