import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MIGRATIONS_FOLDER,
  connectPostgres,
  type DatabaseHandle,
} from '../../src/infrastructure/db/database.js';
import { poolWarnings } from './postgres.js';

/**
 * `npm run db:migrate` started by several processes at once on a fresh database (one init
 * container per pod): they take turns, so each succeeds and the journal lists every migration
 * once. Each runs on a pool of one connection, which must be enough.
 */

const adminUrl = process.env.TEST_DATABASE_URL;
const name = `keel_migrate_${randomBytes(6).toString('hex')}`;
const url =
  adminUrl === undefined
    ? ''
    : Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe.runIf(adminUrl !== undefined)('migrations started at once', { timeout: 60_000 }, () => {
  const handles: DatabaseHandle[] = [];

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    for (let process = 0; process < 3; process++) {
      const options = { url, poolSize: 1, statementTimeoutMs: 5_000, connectionTimeoutMs: 5_000 };
      handles.push(connectPostgres(options, poolWarnings));
    }
  });

  afterAll(async () => {
    await Promise.all(handles.map((handle) => handle.close()));
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('take turns: every one succeeds, and each migration is applied once', async () => {
    const outcomes = await Promise.allSettled(handles.map((handle) => handle.migrate()));
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    const journal = JSON.parse(
      await readFile(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'),
    ) as { entries: unknown[] };
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        'select count(*)::int as applied from drizzle.__drizzle_migrations',
      );
      expect(rows).toEqual([{ applied: journal.entries.length }]);
    } finally {
      await client.end();
    }
  });
});
