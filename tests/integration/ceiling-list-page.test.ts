import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ceilingApp, embeddedCeiling } from '../../bench/ceilings/ceiling-app.js';
import { embedded } from '../../src/infrastructure/db/database.js';
import { createTestApp, openTestClient, type TestApp } from '../helpers/app.js';
import { CEILING_QUERIES, expectKeelsPage, publishForCeiling } from '../helpers/ceiling-pages.js';

let keel: TestApp;
let ceiling: FastifyInstance;
beforeAll(async () => {
  const client = await openTestClient();
  keel = await createTestApp(undefined, undefined, { database: embedded(client) });
  await publishForCeiling(keel.app);
  ceiling = ceilingApp(await embeddedCeiling(client));
});
afterAll(async () => {
  // The ceilings close the client the two share, after Keel's app (not `keel.close()`, which
  // would close it too).
  await keel.app.close();
  await ceiling.close();
});

describe("the bench's list ceiling on PGlite", () => {
  it.each(CEILING_QUERIES)("answers Keel's page for the same bounds (%s), byte for byte", (query) =>
    expectKeelsPage(keel.app, ceiling, query),
  );
});
