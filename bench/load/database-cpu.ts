import { readdir, readFile } from 'node:fs/promises';
import pg from 'pg';
import { statFields, TICKS_PER_SECOND } from './process-usage.js';

/** The CPU time a PostgreSQL server on this machine has spent, all its processes together. */
export interface DatabaseCpu {
  /** Seconds of CPU since the server started, for a difference over a window. */
  read(): Promise<number>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Reading a process's files fails with one of these once it has exited. */
const GONE = new Set(['ENOENT', 'ESRCH']);
/** Times the sum is taken again when the postmaster reaped a child meanwhile. */
const ATTEMPTS = 5;

/** The contents of /proc/<pid>/<file>, or `undefined` when there is no such process. */
async function procFile(pid: number | string, file: string): Promise<string | undefined> {
  try {
    return await readFile(`/proc/${String(pid)}/${file}`, 'utf8');
  } catch (error) {
    // Exited (perhaps while the bench listed the processes), or never there.
    if (GONE.has((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

async function fieldsOf(pid: number | string): Promise<string[] | undefined> {
  const stat = await procFile(pid, 'stat');
  return stat === undefined ? undefined : statFields(stat);
}

/** A process's own CPU ticks (utime, stime) and its reaped children's (cutime, cstime). */
const ticksOf = (fields: readonly string[]): number =>
  [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);

/**
 * Every process of the server whose postmaster is `postmaster`: its own time and that of the
 * children it reaped, plus each living child's (the backends, the checkpointer, autovacuum), read
 * from /proc. A child reaped between the two reads of the postmaster would be counted twice or
 * not at all, so the sum is taken again until its reaped time stayed put.
 */
async function clusterTicks(postmaster: number): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const before = await fieldsOf(postmaster);
    if (before === undefined)
      throw new Error(`PostgreSQL's postmaster ${String(postmaster)} is gone`);
    const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
    let children = 0;
    for (const fields of await Promise.all(pids.map(fieldsOf))) {
      if (fields !== undefined && Number(fields[1]) === postmaster) children += ticksOf(fields);
    }
    const after = await fieldsOf(postmaster);
    if (after !== undefined && ticksOf(after) === ticksOf(before)) return ticksOf(after) + children;
  }
  throw new Error(`PostgreSQL's processes kept changing while the bench read them`);
}

/** Whether process `pid` is a PostgreSQL process (`comm`, which process titles leave alone). */
async function isPostgres(pid: number | string): Promise<boolean> {
  return (await procFile(pid, 'comm'))?.trim() === 'postgres';
}

/**
 * The CPU reader of the PostgreSQL server at `url` when it runs on this machine (a loopback
 * host): its postmaster is the parent of the backend a connection gets. `undefined` for a server
 * elsewhere, whose processes this machine can't see, or one in a container, whose process ids
 * are not this machine's (the process found under the backend's id is not PostgreSQL's).
 */
export async function localDatabaseCpu(url: string): Promise<DatabaseCpu | undefined> {
  if (!LOCAL_HOSTS.has(new URL(url).hostname)) return undefined;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let postmaster: number | undefined;
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const backend = rows[0]?.pid;
    // Read while connected: the backend exits with the connection.
    const fields = backend === undefined ? undefined : await fieldsOf(backend);
    if (backend !== undefined && fields !== undefined && (await isPostgres(backend))) {
      postmaster = Number(fields[1]);
    }
  } finally {
    await client.end();
  }
  if (postmaster === undefined || !(await isPostgres(postmaster))) return undefined;
  const server = postmaster;
  return { read: async () => (await clusterTicks(server)) / TICKS_PER_SECOND };
}
