import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/infrastructure/db/database.js';
import { prepared } from '../../src/infrastructure/db/prepared.js';
import { tagsTable } from '../../src/infrastructure/db/schema/articles.js';
import { executorFor, inUnitOfWork } from '../../src/infrastructure/db/unit-of-work.js';
import { openTestDatabase } from '../helpers/app.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(() => handle.close());

describe('prepared statements', () => {
  it('run with their bindings, inside a unit of work on its transaction', async () => {
    const byName = prepared(handle.db, 'test_tag_by_name', (db) =>
      db
        .select({ name: tagsTable.name })
        .from(tagsTable)
        .where(eq(tagsTable.name, sql.placeholder('filter'))),
    );
    const seen = await inUnitOfWork(handle.db, async () => {
      await executorFor(handle.db).insert(tagsTable).values({ name: 'prepared-test' });
      // Uncommitted: only the unit's own transaction can see it.
      return byName({ filter: 'prepared-test' });
    });
    expect(seen).toEqual([{ name: 'prepared-test' }]);
    expect(await byName({ filter: 'no-such-tag' })).toEqual([]);
  });

  it('refuse one name for two texts, at start-up rather than on some connection later', () => {
    const build = (column: typeof tagsTable.name | typeof tagsTable.id) => () =>
      prepared(handle.db, 'test_one_name', (db) => db.select({ value: column }).from(tagsTable));
    build(tagsTable.name)();
    expect(build(tagsTable.name)).not.toThrow();
    expect(build(tagsTable.id)).toThrow('prepared statement test_one_name was already prepared');
  });
});
