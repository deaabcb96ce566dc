import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, DatabaseHandle } from '../../src/infrastructure/db/database.js';
import { prepared } from '../../src/infrastructure/db/prepared.js';
import { articlesTable, tagsTable } from '../../src/infrastructure/db/schema/articles.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { executorFor, inUnitOfWork } from '../../src/infrastructure/db/unit-of-work.js';
import { createTestApp, openTestDatabase } from '../helpers/app.js';
import { createArticle, registerUser } from '../helpers/factories.js';

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

  it('refuse, when built, a select whose rows their mapping would get wrong', () => {
    expect(() =>
      prepared(handle.db, 'test_left_join', (db) =>
        db
          .select({ tag: tagsTable.name, author: { username: usersTable.username } })
          .from(tagsTable)
          .leftJoin(usersTable, eq(usersTable.id, tagsTable.id)),
      ),
    ).toThrow('prepared statement test_left_join joins other than inner');
    expect(() =>
      prepared(handle.db, 'test_whole_table', (db) =>
        db.select({ tag: tagsTable }).from(tagsTable),
      ),
    ).toThrow('prepared statements select columns and objects of them, not tag');
  });

  it('refuse one name for two texts, at start-up rather than on some connection later', () => {
    const build = (column: typeof tagsTable.name | typeof tagsTable.id) => () =>
      prepared(handle.db, 'test_one_name', (db) => db.select({ value: column }).from(tagsTable));
    build(tagsTable.name)();
    expect(build(tagsTable.name)).not.toThrow();
    expect(build(tagsTable.id)).toThrow('prepared statement test_one_name was already prepared');
  });
});

describe('prepared statement rows', () => {
  it("are mapped as Drizzle's own mapping maps them: nested, decoded, nulls kept", async () => {
    const t = await createTestApp();
    try {
      const author = await registerUser(t.app);
      await createArticle(t.app, author, { tagList: ['b', 'a'] });
      await createArticle(t.app, author, { tagList: [] });
      const cards = (db: Database) =>
        db
          .select({
            slug: articlesTable.slug,
            tagList: articlesTable.tagList,
            createdAt: articlesTable.createdAt,
            favoritesCount: articlesTable.favoritesCount,
            // sql: an expression with its own decoder, as the lists' totals are.
            plusOne: sql<number>`${articlesTable.favoritesCount} + 1`.mapWith(Number),
            // sql: an aliased expression, decoded through the expression it names.
            shouted: sql<string>`upper(${articlesTable.title})`.as('shouted'),
            author: {
              username: usersTable.username,
              bio: usersTable.bio,
              // sql: a constant flag, as an anonymous viewer's are.
              following: sql<boolean>`false`,
            },
          })
          .from(articlesTable)
          .innerJoin(usersTable, eq(usersTable.id, articlesTable.authorId))
          .orderBy(asc(articlesTable.id));

      const rows = await prepared(t.db, 'test_cards', cards)({});

      expect(rows).toEqual(await cards(t.db));
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({
        tagList: ['a', 'b'],
        plusOne: 1,
        author: { username: author.username, bio: null, following: false },
      });
      expect(rows[0]?.createdAt).toBeInstanceOf(Date);
      expect(rows[1]?.tagList).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
