import { randomUUID } from 'node:crypto';
import { link, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createWhole, readIfPresent } from '../../core/files.js';
import { OperatorError } from '../../core/operator-error.js';

/** Who holds a data directory: what its lock file says. */
interface Holder {
  readonly pid: number;
  readonly host: string;
}

/** A lock file as read: its text, and the holder it names (none when unreadable). */
interface Lock {
  readonly text: string;
  readonly holder: Holder | undefined;
}

/** The lock of `dataDir`: a file beside it, so nothing is added to PostgreSQL's own directory. */
export function lockPathOf(dataDir: string): string {
  return `${dataDir}.lock`;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The lock at `path`; undefined when there is none. */
async function readLock(path: string): Promise<Lock | undefined> {
  const text = await readIfPresent(path);
  if (text === undefined) return undefined;
  const [pid, host] = text.trim().split(' ', 2);
  const number = Number(pid);
  const named = Number.isSafeInteger(number) && number > 0 && host !== undefined;
  return { text, holder: named ? { pid: number, host } : undefined };
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
 * True when the lock at `path` is left over: it names no holder (not written by Keel), or a
 * process of this machine that no longer runs, or this process's own PID on a lock it does not
 * hold (a container restarted as PID 1 finds its own PID in the lock its last run left). A holder
 * on another host (a volume two machines share) can't be checked, so it stays.
 */
function leftOver({ holder }: Lock, path: string): boolean {
  if (holder === undefined) return true;
  if (holder.host !== hostname()) return false;
  return holder.pid === process.pid ? !held.has(path) : !running(holder.pid);
}

/**
 * Moves the left-over lock `stale` at `path` out of the way, unless a rival got there first: it
 * is renamed aside (only one process can), and put back if what was renamed is no longer
 * `stale` (a rival took over in between). False when it was put back.
 */
async function removeLeftOver(path: string, stale: Lock): Promise<boolean> {
  const aside = `${path}.${randomUUID()}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    // A rival moved it first: look again.
    if (isMissing(error)) return true;
    throw error;
  }
  const moved = await readLock(aside);
  if (moved?.text !== stale.text) {
    await link(aside, path);
    await unlink(aside);
    return false;
  }
  await unlink(aside);
  return true;
}

/**
 * Takes the embedded database's data directory for this process, or refuses: PGlite is
 * PostgreSQL inside this process, and two processes on one directory each write over what the
 * other wrote, so answers one of them acknowledged are lost (the server and `npm run admin:grant`
 * at once, say). The lock is a file naming the holder's PID and host, as PostgreSQL's own
 * `postmaster.pid` does; one left by a process that died (`kill -9`) is taken over. It is created
 * whole (`createWhole`), so no one ever reads half of it. Resolves to the function that gives
 * the directory back.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = lockPathOf(dataDir);
  const mine = `${String(process.pid)} ${hostname()}\n`;
  // Twice at most: a left-over lock is removed once; losing after that means a live rival.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await createWhole(path, mine)) {
      held.add(path);
      return async () => {
        held.delete(path);
        if ((await readLock(path))?.text === mine) await unlink(path);
      };
    }
    const lock = await readLock(path);
    if (lock === undefined) continue;
    if (!leftOver(lock, path) || !(await removeLeftOver(path, lock))) {
      refuse(dataDir, path, (await readLock(path))?.holder ?? lock.holder);
    }
  }
  throw new OperatorError(`the embedded database ${dataDir} is being opened by another process`);
}

function refuse(dataDir: string, path: string, holder: Holder | undefined): never {
  const who =
    holder === undefined ? 'another process' : `process ${String(holder.pid)} on ${holder.host}`;
  throw new OperatorError(
    `the embedded database ${dataDir} is in use by ${who}: stop it first (one process at a ` +
      `time; PostgreSQL, through DATABASE_URL, serves many), or remove ${path} if that process ` +
      `is not Keel's`,
  );
}
