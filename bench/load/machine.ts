import { availableParallelism, cpus, totalmem } from 'node:os';
import pg from 'pg';
import type { Machine } from '../report/bench-results.js';

/** The machine and database a run measured, for the report's header. */
export async function describeMachine(
  database: 'postgres' | 'embedded',
  url: string | undefined,
): Promise<Machine> {
  let version = 'PGlite (embedded)';
  if (database === 'postgres' && url !== undefined) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ server_version: string }>('show server_version');
      version = `PostgreSQL ${rows[0]?.server_version ?? '?'}`;
    } finally {
      await client.end();
    }
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    database: version,
  };
}
