import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/infrastructure/db/data-dir-lock.js';
import { runCli } from '../helpers/cli.js';

/**
 * A command-line tool that can't do its job for a reason the operator fixes (a bad setting, the
 * embedded database held by another process) says so in one line and exits 1: no stack trace to
 * read past (`runDatabaseTool`, as the server's start).
 */

const TOOLS = [
  'src/infrastructure/db/migrate-cli.ts',
  'src/infrastructure/db/audit/verify-cli.ts',
  'src/infrastructure/db/audit/rebuild-cli.ts',
  'src/infrastructure/db/projections/rebuild-cli.ts',
] as const;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'keel-cli-failures-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('a command-line tool that cannot run', { timeout: 60_000 }, () => {
  it.each(TOOLS)('%s: a data directory another process holds, named, exit 1', async (script) => {
    const dataDir = await mkdtemp(join(root, 'held-'));
    const release = await lockDataDir(join(dataDir, 'pglite'));
    try {
      const { code, output } = await runCli(script, dataDir, []);
      expect(code, output).toBe(1);
      expect(output).toContain(`is in use by process ${String(process.pid)} on ${hostname()}`);
      expect(output).not.toMatch(/\bat \S+ \(|^\s+at /m);
    } finally {
      await release();
    }
  });

  it('a setting it cannot use: the variable named, never its value, exit 1', async () => {
    const { code, output } = await runCli('src/infrastructure/db/migrate-cli.ts', root, [], {
      DATABASE_URL: 'postgres://keel:s3cret@',
    });
    expect(code, output).toBe(1);
    expect(output).toContain('DATABASE_URL');
    expect(output).not.toContain('s3cret');
    expect(output).not.toMatch(/\bat \S+ \(|^\s+at /m);
  });

  it('an unexpected failure: logged with its error, exit 1', async () => {
    // Nothing listens on port 1: the connection is refused, which no setting explains.
    const { code, output } = await runCli('src/infrastructure/db/audit/verify-cli.ts', root, [], {
      DATABASE_URL: 'postgres://keel@127.0.0.1:1/keel',
    });
    expect(code, output).toBe(1);
    expect(output).toContain('the command failed');
    expect(output).toContain('ECONNREFUSED');
  });
});
