import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ceilingApp, embeddedCeiling } from '../../bench/ceilings/ceiling-app.js';
import { embedded } from '../../src/infrastructure/db/database.js';
import { createTestApp, openTestClient, TEST_TOKEN_SECRET, type TestApp } from '../helpers/app.js';
import {
  BARE_CASES,
  expectKeelsPage,
  expectRefusals,
  publishForBareReads,
  recordingKeel,
  recordingStatements,
  type BareWorld,
  type TakenStatements,
} from '../helpers/bare-reads.js';

let keel: TestApp;
let bare: FastifyInstance;
let world: BareWorld;
let taken: TakenStatements;
beforeAll(async () => {
  const client = await openTestClient();
  // Keel's statements are recorded too: the bare reads must run what Keel runs.
  const keelStatements = recordingKeel();
  keel = await createTestApp(undefined, undefined, {
    database: embedded(client, keelStatements.logger),
  });
  world = await publishForBareReads(keel.app);
  const recording = recordingStatements(await embeddedCeiling(client));
  taken = { bare: recording.taken, keel: keelStatements.taken };
  bare = ceilingApp(recording.database, TEST_TOKEN_SECRET);
});
afterAll(async () => {
  // The ceilings close the client the two share, after Keel's app (not `keel.close()`, which
  // would close it too).
  await keel.app.close();
  await bare.close();
});

describe("the bench's bare list reads on PGlite", () => {
  it.each(BARE_CASES)("answer Keel's page for /articles$path ($viewer), byte for byte", (request) =>
    expectKeelsPage(keel.app, bare, taken, world, request),
  );

  it('refuse the requests Keel refuses', () => expectRefusals(keel.app, bare, world));
});
