import { rm } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlesTable } from '../../src/infrastructure/db/schema/articles.js';
import { inspectEmbedded, runCli, seededDataDir } from '../helpers/cli.js';
import { createArticle, registerUser } from '../helpers/factories.js';

/** `npm run projections:rebuild` as an operator runs it: its own process, on the embedded data. */

let dataDir: string;
let slug: string;

const rebuild = (...args: string[]) =>
  runCli('src/infrastructure/db/projections/rebuild-cli.ts', dataDir, args);
const favoritesCount = () =>
  inspectEmbedded(dataDir, (db) =>
    db
      .select({ count: articlesTable.favoritesCount })
      .from(articlesTable)
      .where(eq(articlesTable.slug, slug)),
  );

beforeAll(async () => {
  ({ dataDir, seeded: slug } = await seededDataDir('keel-projections-', async (app, db) => {
    const article = await createArticle(app, await registerUser(app));
    // A projected count drifted from the write model, as a write behind Keel's back leaves it.
    await db
      .update(articlesTable)
      .set({ favoritesCount: 5 })
      .where(eq(articlesTable.slug, article.slug));
    return article.slug;
  }));
}, 120_000);
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('npm run projections:rebuild', { timeout: 120_000 }, () => {
  it('with --check, reports the drift and exits 1, changing nothing', async () => {
    const { code, output } = await rebuild('--check');
    expect(code, output).toBe(1);
    expect(output).toContain('projected columns drifted from the write model');
    expect(output).not.toContain('the projection equals the write model');
    expect(await favoritesCount()).toEqual([{ count: 5 }]);
  });

  it('without it, rebuilds the drifted column from the write model and exits 0', async () => {
    const { code, output } = await rebuild();
    expect(code, output).toBe(0);
    expect(output).toContain('the projection equals the write model');
    expect(await favoritesCount()).toEqual([{ count: 0 }]);
    const check = await rebuild('--check');
    expect(check.code, check.output).toBe(0);
    expect(check.output).toContain('no projected column has drifted');
  });
});
