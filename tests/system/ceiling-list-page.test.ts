import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ceilingApp, postgresCeiling } from '../../bench/ceilings/ceiling-app.js';
import { CEILING_QUERIES, expectKeelsPage, publishForCeiling } from '../helpers/ceiling-pages.js';
import { createSystemApp, type SystemApp } from './postgres.js';

describe.runIf(process.env.TEST_DATABASE_URL !== undefined)(
  "the bench's list ceiling on PostgreSQL",
  () => {
    let keel: SystemApp;
    let ceiling: FastifyInstance;
    beforeAll(async () => {
      keel = await createSystemApp();
      await publishForCeiling(keel.app);
      // Its own pool, as in the bench: named statements, timestamps and totals as node-postgres reads them.
      ceiling = ceilingApp(postgresCeiling(keel.url, 2));
    });
    afterAll(async () => {
      await ceiling.close();
      await keel.close();
    });

    it.each(CEILING_QUERIES)(
      "answers Keel's page for the same bounds (%s), byte for byte",
      (query) => expectKeelsPage(keel.app, ceiling, query),
    );
  },
);
