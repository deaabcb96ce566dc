import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { inspectEmbedded, runCli } from '../helpers/cli.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keel-bench-seed-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('npm run db:seed -- --data-dir DIR', { timeout: 120_000 }, () => {
  it('loads PGlite under DIR/pglite, where Keel with DATA_DIR=DIR reads it', async () => {
    const { code, output } = await runCli('bench/seed/seed-cli.ts', dataDir, [
      '--size',
      's',
      '--data-dir',
      dataDir,
    ]);
    expect(code, output).toBe(0);
    // inspectEmbedded opens DIR/pglite, as Keel's server does.
    const [row] = await inspectEmbedded(dataDir, (db) =>
      db.select({ n: count() }).from(usersTable),
    );
    expect(row?.n).toBe(1_000);
  });
});
