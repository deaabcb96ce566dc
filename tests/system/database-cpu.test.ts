import { availableParallelism } from 'node:os';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { localDatabaseCpu } from '../../bench/load/database-cpu.js';

const url = process.env.TEST_DATABASE_URL;

describe('the bench reading PostgreSQL CPU time', () => {
  it('does not look for the processes of a server on another machine', async () => {
    // Not even a connection: the host alone says its processes are out of sight.
    expect(await localDatabaseCpu('postgres://bench@db.invalid:5432/keel')).toBeUndefined();
  });

  it.runIf(url !== undefined)(
    "counts the CPU a backend spends, in the local server's processes",
    async () => {
      if (url === undefined) throw new Error('TEST_DATABASE_URL is required here');
      const cpu = await localDatabaseCpu(url);
      if (cpu === undefined) throw new Error('the server on 127.0.0.1 was not found in /proc');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const before = await cpu.read();
        const started = performance.now();
        // A few hundred milliseconds of one backend's CPU, on any machine CI runs on.
        await client.query('select count(*) from generate_series(1, 5000000)');
        const wallSeconds = (performance.now() - started) / 1000;
        const after = await cpu.read();
        expect(after - before).toBeGreaterThan(0.1);
        // The server can't spend more than every core for the time the query ran (other test
        // files use it meanwhile; a margin for the 10 ms ticks): a reader that counted a process's
        // whole life in one of its two reads, and not in the other, would.
        expect(after - before).toBeLessThan(availableParallelism() * wallSeconds + 0.5);
      } finally {
        await client.end();
      }
    },
  );
});
