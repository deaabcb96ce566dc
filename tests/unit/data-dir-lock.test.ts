import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataDir, lockPathOf } from '../../src/infrastructure/db/data-dir-lock.js';

let root: string;
let dataDir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'keel-lock-'));
  dataDir = join(root, 'pglite');
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** Writes the lock as another holder would have left it. */
const heldBy = (pid: number, host = hostname()) =>
  writeFile(lockPathOf(dataDir), `${String(pid)} ${host}\n`);

/** A PID that ran on this machine and has exited. */
function exitedPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

describe('lockDataDir', () => {
  it('takes a free directory, naming this process, and gives it back', async () => {
    const release = await lockDataDir(dataDir);
    expect(await readFile(lockPathOf(dataDir), 'utf8')).toBe(
      `${String(process.pid)} ${hostname()}\n`,
    );
    await release();
    await expect(readFile(lockPathOf(dataDir), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a directory another running process holds, naming it', async () => {
    // The test runner's parent process: alive, and not this one.
    await heldBy(process.ppid);
    await expect(lockDataDir(dataDir)).rejects.toThrow(
      `is in use by process ${String(process.ppid)} on ${hostname()}: stop it first`,
    );
    expect(await readFile(lockPathOf(dataDir), 'utf8')).toBe(
      `${String(process.ppid)} ${hostname()}\n`,
    );
  });

  it('refuses a second opening by this process while the first holds it', async () => {
    const release = await lockDataDir(dataDir);
    await expect(lockDataDir(dataDir)).rejects.toThrow(
      `is in use by process ${String(process.pid)}`,
    );
    await release();
    await (
      await lockDataDir(dataDir)
    )();
  });

  it('refuses a lock from another host, whose process it cannot check', async () => {
    await heldBy(process.pid, 'elsewhere.example');
    await expect(lockDataDir(dataDir)).rejects.toThrow('in use by process');
  });

  it('takes over a lock that names no holder, which Keel did not write', async () => {
    await writeFile(lockPathOf(dataDir), 'not a lock\n');
    await (
      await lockDataDir(dataDir)
    )();
  });

  it.each([
    ['a process that died (kill -9)', exitedPid],
    ['this very PID (a container restarted as PID 1)', () => process.pid],
  ])('takes over a lock left by %s', async (_case, pid) => {
    await heldBy(pid());
    const release = await lockDataDir(dataDir);
    expect(await readFile(lockPathOf(dataDir), 'utf8')).toBe(
      `${String(process.pid)} ${hostname()}\n`,
    );
    await release();
  });

  it('leaves alone, when giving back, a lock that is no longer its own', async () => {
    const release = await lockDataDir(dataDir);
    await heldBy(process.ppid);
    await release();
    expect(await readFile(lockPathOf(dataDir), 'utf8')).toBe(
      `${String(process.ppid)} ${hostname()}\n`,
    );
  });
});
