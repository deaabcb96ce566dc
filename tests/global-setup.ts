import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { embedded } from '../src/infrastructure/db/database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

/**
 * Creating and migrating a PGlite database takes seconds; loading a dump of one takes a
 * fraction of that. So migrate once per run and let every test file load the dump.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'keel-test-'));
  const template = join(dir, 'migrated.tar');
  const client = await PGlite.create();
  const database = embedded(client);
  await database.migrate();
  const dump = await client.dumpDataDir('none');
  await writeFile(template, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide('pgliteTemplate', template);
  return () => rm(dir, { recursive: true, force: true });
}
