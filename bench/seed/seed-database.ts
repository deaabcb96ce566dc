import { count, eq, getTableName, sql } from 'drizzle-orm';
import {
  ARTICLE_TOTAL_SHARDS,
  articlesTable,
  articleTotalsTable,
  tagsTable,
} from '../../src/infrastructure/db/schema/articles.js';
import { commentsTable } from '../../src/infrastructure/db/schema/comments.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { createPasswordHasher } from '../../src/core/security/passwords.js';
import { parseNewPassword } from '../../src/domain/identity/password.js';
import { BENCH_PASSWORD } from './bench-password.js';
import { copyChunks } from './copy-format.js';
import type { DatasetSize } from './dataset-sizes.js';
import { planDataset } from './dataset.js';
import { deferSecondaryConstraints } from './deferred-constraints.js';
import type { Progress } from './progress.js';
import { runLimited } from './run-limited.js';
import type { SeedConnection } from './seed-connection.js';
import { tableLoads } from './table-loads.js';
import { verifyInvariants, type InvariantCheck } from './verify-invariants.js';

/** One timed step of a seed: a table's load (with its row count) or a rebuild, check or plan. */
export interface SeedStep {
  readonly step: string;
  readonly rows?: number;
  readonly seconds: number;
}

export interface SeedReport {
  readonly steps: readonly SeedStep[];
  readonly invariants: readonly InvariantCheck[];
  readonly totalSeconds: number;
}

async function timed<T>(steps: SeedStep[], step: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  steps.push({ step, seconds: (performance.now() - started) / 1000 });
  return result;
}

/**
 * Loads a deterministic dataset of `size` from `seed` into an empty, migrated database: COPY
 * with the secondary indexes and foreign keys deferred, then rebuilt, analysed and checked.
 */
export async function seedDatabase(
  connection: SeedConnection,
  size: DatasetSize,
  seed: number,
  progress: Progress,
): Promise<SeedReport> {
  const started = performance.now();
  const [existing] = await connection.db.select({ users: count() }).from(usersTable);
  if ((existing?.users ?? 0) > 0)
    throw new Error('the database already has users: seed an empty one');

  const steps: SeedStep[] = [];
  // One Argon2id hash shared by every user: hashing a million passwords would take hours.
  const passwordHash = await timed(steps, 'hash the shared password', async () =>
    (await createPasswordHasher()).hash(parseNewPassword(BENCH_PASSWORD)),
  );
  const dataset = await timed(steps, 'plan the graph', () =>
    Promise.resolve(planDataset(size, seed)),
  );
  const deferred = await timed(steps, 'drop secondary indexes and foreign keys', () =>
    deferSecondaryConstraints(connection),
  );

  const loads = tableLoads(dataset, passwordHash);
  const advance = new Map(loads.map((load) => [load.name, progress.bar(load.name, load.rowCount)]));
  await runLimited(loads, connection.parallelism, async (load) => {
    const loadStarted = performance.now();
    let rows = 0;
    const tick = advance.get(load.name);
    const chunks = copyChunks(load.rows(), (written) => {
      rows += written;
      tick?.(written);
    });
    await connection.copy(load.name, load.columns, chunks);
    steps.push({
      step: `copy ${load.name}`,
      rows,
      seconds: (performance.now() - loadStarted) / 1000,
    });
  });
  progress.stop();

  await timed(steps, 'restart identity sequences', async () => {
    for (const table of [usersTable, articlesTable, tagsTable, commentsTable]) {
      // sql: setval has no builder; the next id the API inserts must follow the seeded ones.
      await connection.rows(
        sql`select setval(pg_get_serial_sequence(${getTableName(table)}, 'id'), (select max(${table.id}) from ${table}))`,
      );
    }
  });
  await timed(steps, 'set the sharded article total', async () => {
    // Ids run 1 … articles; an article counts in shard `id % shards`, as the writes count it.
    const perShard = new Array<number>(ARTICLE_TOTAL_SHARDS).fill(0);
    for (let id = 1; id <= size.articles; id++) {
      perShard[id % ARTICLE_TOTAL_SHARDS] = (perShard[id % ARTICLE_TOTAL_SHARDS] ?? 0) + 1;
    }
    for (const [shard, articles] of perShard.entries()) {
      await connection.db
        .update(articleTotalsTable)
        .set({ articles })
        .where(eq(articleTotalsTable.shard, shard));
    }
  });
  for (const rebuilt of await deferred.restore())
    steps.push({ step: `rebuild ${rebuilt.name}`, seconds: rebuilt.seconds });
  // Planner statistics and a visibility map for index-only scans, as autovacuum would leave them.
  // sql: VACUUM has no builder.
  await timed(steps, 'vacuum analyze', () => connection.rows(sql`vacuum analyze`));
  const invariants = await timed(steps, 'verify invariants', () => verifyInvariants(connection.db));
  return { steps, invariants, totalSeconds: (performance.now() - started) / 1000 };
}
