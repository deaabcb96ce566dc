import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ceilingApp, postgresCeiling } from '../../bench/ceilings/ceiling-app.js';
import { TEST_TOKEN_SECRET } from '../helpers/app.js';
import {
  BARE_CASES,
  expectKeelsPage,
  expectRefusals,
  publishForBareReads,
  recordingStatements,
  type BareWorld,
  type TakenStatements,
} from '../helpers/bare-reads.js';
import { createSystemApp, type SystemApp } from './postgres.js';

describe.runIf(process.env.TEST_DATABASE_URL !== undefined)(
  "the bench's bare list reads on PostgreSQL",
  () => {
    let keel: SystemApp;
    let bare: FastifyInstance;
    let world: BareWorld;
    let taken: TakenStatements;
    beforeAll(async () => {
      keel = await createSystemApp();
      world = await publishForBareReads(keel.app);
      // Its own pool, as in the bench: named statements, timestamps and totals as node-postgres reads them.
      const recording = recordingStatements(postgresCeiling(keel.url, 2));
      taken = { bare: recording.taken };
      bare = ceilingApp(recording.database, TEST_TOKEN_SECRET);
    });
    afterAll(async () => {
      await bare.close();
      await keel.close();
    });

    it.each(BARE_CASES)(
      "answer Keel's page for /articles$path ($viewer), byte for byte",
      (request) => expectKeelsPage(keel.app, bare, taken, world, request),
    );

    it('refuse the requests Keel refuses', () => expectRefusals(keel.app, bare, world));
  },
);
