import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBenchDatabase,
  dropBenchDatabase,
  markSeeded,
  reuseRefusal,
} from '../../bench/seed/bench-database.js';

/**
 * `npm run bench -- --reuse` measures a kept database only if a seed finished there, with the
 * size and seed the run names (bench/seed/bench-database.ts): a seed stopped part-way leaves
 * tables without their indexes, and another seed's data would be reported as this one's.
 */
describe.runIf(process.env.TEST_DATABASE_URL !== undefined)('reusing a bench database', () => {
  const adminUrl = process.env.TEST_DATABASE_URL ?? '';
  const name = `keel_bench_reuse_${randomBytes(6).toString('hex')}`;
  beforeAll(async () => {
    await createBenchDatabase(adminUrl, name);
  });
  afterAll(() => dropBenchDatabase(adminUrl, name));

  it('refuses a database no seed finished in', async () => {
    expect(await reuseRefusal(adminUrl, name, { size: 's', seed: 1 })).toContain(
      `${name} holds no finished seed`,
    );
  });

  it('takes the one a seed of that size and seed finished in, and refuses it for any other', async () => {
    await markSeeded(adminUrl, name, { size: 's', seed: 1 });
    expect(await reuseRefusal(adminUrl, name, { size: 's', seed: 1 })).toBeUndefined();
    expect(await reuseRefusal(adminUrl, name, { size: 's', seed: 2 })).toContain(
      'holds size s from seed 1, not size s from seed 2',
    );
    expect(await reuseRefusal(adminUrl, name, { size: 'm', seed: 1 })).toContain(
      'holds size s from seed 1, not size m from seed 1',
    );
  });
});
