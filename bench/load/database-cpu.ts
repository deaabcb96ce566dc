import { readdir, readFile } from 'node:fs/promises';
import pg from 'pg';
import { statFields, TICKS_PER_SECOND } from './process-usage.js';

/** The CPU time a PostgreSQL server on this machine has spent, all its processes together. */
export interface DatabaseCpu {
  /** Seconds of CPU since the server started, for a difference over a window. */
  read(): Promise<number>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The stat fields of process `pid`, or `undefined` when there is no such process. */
async function fieldsOf(pid: number | string): Promise<string[] | undefined> {
  try {
    return statFields(await readFile(`/proc/${String(pid)}/stat`, 'utf8'));
  } catch (error) {
    // Gone (a process that exited while the bench listed them), or never there.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Every process of the server whose postmaster is `postmaster`: the postmaster's own time with
 * that of the children it has reaped (cutime, cstime), plus each living child's (the backends,
 * the checkpointer, autovacuum), read from /proc.
 */
async function clusterTicks(postmaster: number): Promise<number> {
  const own = await fieldsOf(postmaster);
  if (own === undefined) throw new Error(`PostgreSQL's postmaster ${String(postmaster)} is gone`);
  let ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(own[index]), 0);
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  for (const fields of await Promise.all(pids.map(fieldsOf))) {
    if (fields !== undefined && Number(fields[1]) === postmaster) {
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  }
  return ticks;
}

/**
 * The CPU reader of the PostgreSQL server at `url` when it runs on this machine (a loopback
 * host): its postmaster is the parent of the backend a connection gets. `undefined` for a server
 * elsewhere, whose processes this machine can't see.
 */
export async function localDatabaseCpu(url: string): Promise<DatabaseCpu | undefined> {
  if (!LOCAL_HOSTS.has(new URL(url).hostname)) return undefined;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let fields: string[] | undefined;
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    // Read while connected: the backend exits with the connection.
    fields = rows[0] === undefined ? undefined : await fieldsOf(rows[0].pid);
  } finally {
    await client.end();
  }
  if (fields === undefined) return undefined;
  const postmaster = Number(fields[1]);
  return { read: async () => (await clusterTicks(postmaster)) / TICKS_PER_SECOND };
}
