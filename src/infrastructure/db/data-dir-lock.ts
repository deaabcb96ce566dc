import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/** Who holds a data directory: what its lock file says. */
interface Holder {
  readonly pid: number;
  readonly host: string;
}

/** The lock of `dataDir`: a file beside it, so nothing is added to PostgreSQL's own directory. */
export function lockPathOf(dataDir: string): string {
  return `${dataDir}.lock`;
}

const describe = (holder: Holder): string => `${String(holder.pid)} ${holder.host}\n`;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The holder `path` names; undefined when there is no lock (or only an unreadable one). */
async function holderOf(path: string): Promise<Holder | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  const [pid, host] = text.trim().split(' ', 2);
  const number = Number(pid);
  return Number.isSafeInteger(number) && number > 0 && host !== undefined
    ? { pid: number, host }
    : undefined;
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/** Whether a process `pid` runs on this machine (one of another user's counts). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return true;
    throw error;
  }
}

/** The locks this process holds now, so that it refuses itself a second opening too. */
const held = new Set<string>();

/**
 * True when the holder of `path` is gone: a process of this machine that no longer runs, or this
 * process's own PID on a lock it does not hold (a container restarted as PID 1 finds its own PID
 * in the lock its last run left). A holder on another host (a volume two machines share) can't
 * be checked, so it stays.
 */
function gone(holder: Holder, path: string): boolean {
  if (holder.host !== hostname()) return false;
  return holder.pid === process.pid ? !held.has(path) : !running(holder.pid);
}

/**
 * Takes the embedded database's data directory for this process, or refuses: PGlite is
 * PostgreSQL inside this process, and two processes on one directory each write over what the
 * other wrote, so answers one of them acknowledged are lost (the server and `npm run admin:grant`
 * at once, say). The lock is a file naming the holder's PID and host, as PostgreSQL's own
 * `postmaster.pid` does; one left by a process that died (`kill -9`) is taken over. It is written
 * whole to a temporary file and linked into place, so no one ever reads half of it. Resolves to
 * the function that gives the directory back.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = lockPathOf(dataDir);
  const mine = describe({ pid: process.pid, host: hostname() });
  const temporary = `${path}.${String(process.pid)}.tmp`;
  await writeFile(temporary, mine);
  try {
    // Twice at most: a stale lock is removed once; losing the race after that means a live rival.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await link(temporary, path);
        held.add(path);
        return async () => {
          held.delete(path);
          const holder = await holderOf(path);
          if (holder !== undefined && describe(holder) === mine) await unlink(path);
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await holderOf(path);
      if (holder !== undefined && !gone(holder, path)) {
        throw new Error(
          `the embedded database ${dataDir} is in use by process ${String(holder.pid)} on ` +
            `${holder.host}: stop it first (one process at a time; PostgreSQL, through ` +
            `DATABASE_URL, serves many), or remove ${path} if that process is not Keel's`,
        );
      }
      await removeIfPresent(path);
    }
    throw new Error(`the embedded database ${dataDir} is being opened by another process`);
  } finally {
    await removeIfPresent(temporary);
  }
}
