import { mkdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { lockDataDir } from '../../src/infrastructure/db/data-dir-lock.js';
import { connectPostgres, embedded, type Database } from '../../src/infrastructure/db/database.js';

/** A row of a catalog query: named columns of unknown shape until the caller says. */
export type Row = Record<string, unknown>;

/** A migrated database the seeder loads: typed queries, catalog queries and COPY. */
export interface SeedConnection {
  readonly kind: 'postgres' | 'embedded';
  readonly db: Database;
  /** Rows of a statement the query builder can't express (catalog reads, DDL, maintenance). */
  rows<T extends Row>(statement: SQL): Promise<T[]>;
  /** Streams COPY-text `chunks` into `table` (`columns`); resolves once they are committed. */
  copy(table: string, columns: readonly string[], chunks: Iterable<string>): Promise<void>;
  /** How many tables may load at once: one per core for a server, one for PGlite's single session. */
  readonly parallelism: number;
  close(): Promise<void>;
}

/** The statement text is built only from identifiers the Drizzle schema defines. */
function copyStatement(table: string, columns: readonly string[], source: string): string {
  const names = columns.map((column) => pg.escapeIdentifier(column)).join(', ');
  return `COPY ${pg.escapeIdentifier(table)} (${names}) FROM ${source}`;
}

/** PostgreSQL at `url`, migrated with the project's migrations; COPY goes through pg-copy-streams. */
export async function openPostgresSeedConnection(url: string): Promise<SeedConnection> {
  const migrator = connectPostgres(
    { url, poolSize: 1, statementTimeoutMs: 60_000, connectionTimeoutMs: 5_000 },
    { warn: (details, message) => process.stderr.write(`${message} ${JSON.stringify(details)}\n`) },
  );
  try {
    await migrator.migrate();
  } finally {
    await migrator.close();
  }
  // No statement timeout: building an index or validating a foreign key at size L takes minutes.
  // Index builds sort in memory up to maintenance_work_mem. Commits stay synchronous: VACUUM
  // can't mark pages all-visible (for index-only scans) while the inserting commit may be unflushed.
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    options: '-c maintenance_work_mem=256MB',
  });
  const db = drizzleNodePg({ client: pool });
  return {
    kind: 'postgres',
    db,
    // Drizzle types execute() rows loosely; the caller names the columns its statement selects.
    rows: async <T extends Row>(statement: SQL) => (await db.execute(statement)).rows as T[],
    async copy(table, columns, chunks) {
      const client = await pool.connect();
      try {
        const sink = client.query(copyFrom(copyStatement(table, columns, 'STDIN')));
        await pipeline(Readable.from(chunks), sink);
      } finally {
        client.release();
      }
    },
    parallelism: 2,
    close: () => pool.end(),
  };
}

/** PGlite under `dataDir`, migrated; COPY reads a blob of chunks at a time from PGlite's /dev/blob. */
export async function openEmbeddedSeedConnection(dataDir: string): Promise<SeedConnection> {
  await mkdir(dataDir, { recursive: true });
  const unlock = await lockDataDir(dataDir);
  const client = await PGlite.create({ dataDir });
  await embedded(client).migrate();
  const db = drizzlePglite({ client });
  const blobBytes = 16 * 1024 * 1024;
  return {
    kind: 'embedded',
    db,
    // Drizzle types execute() rows loosely; the caller names the columns its statement selects.
    rows: async <T extends Row>(statement: SQL) => (await db.execute(statement)).rows as T[],
    async copy(table, columns, chunks) {
      const statement = copyStatement(table, columns, `'/dev/blob'`);
      let batch: string[] = [];
      let bytes = 0;
      const flush = async (): Promise<void> => {
        await client.query(statement, [], { blob: new Blob(batch) });
        batch = [];
        bytes = 0;
      };
      for (const chunk of chunks) {
        batch.push(chunk);
        bytes += chunk.length;
        if (bytes >= blobBytes) await flush();
      }
      if (batch.length > 0) await flush();
    },
    parallelism: 1,
    async close() {
      await client.close();
      await unlock();
    },
  };
}
