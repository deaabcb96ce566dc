import Fastify from 'fastify';
import pg from 'pg';

/**
 * The ceilings Keel is measured against, run as their own process by the bench: a bare
 * Fastify route returning a constant (framework ceiling), one running `select 1` on the
 * database Keel uses, through a node-postgres pool of Keel's size (framework + driver + one
 * round trip), and the same answering a page of 20 article cards the size of a list page (the
 * cost of the bytes alone, without Keel's queries and mapping). All serialize through a
 * response schema, as Keel's routes do.
 *
 * Environment: PORT, HOST, DATABASE_URL and DATABASE_POOL_SIZE, or DATA_DIR for PGlite.
 */
const env = process.env;
const databaseUrl = env.DATABASE_URL;

interface SelectOne {
  selectOne(): Promise<number>;
  close(): Promise<void>;
}

async function openDatabase(): Promise<SelectOne> {
  if (databaseUrl !== undefined) {
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: Number(env.DATABASE_POOL_SIZE ?? '10'),
    });
    return {
      selectOne: async () =>
        (await pool.query<{ one: number }>('select 1 as one')).rows[0]?.one ?? 0,
      close: () => pool.end(),
    };
  }
  // Imported only here, so the PostgreSQL ceiling stays a bare Fastify process.
  const { PGlite } = await import('@electric-sql/pglite');
  const client = await PGlite.create({ dataDir: `${env.DATA_DIR ?? './data'}/pglite` });
  return {
    selectOne: async () =>
      (await client.query<{ one: number }>('select 1 as one')).rows[0]?.one ?? 0,
    close: () => client.close(),
  };
}

const database = await openDatabase();
const app = Fastify({ logger: false });
const schema = {
  response: {
    200: { type: 'object', properties: { one: { type: 'integer' } }, required: ['one'] },
  },
};
/** A list page's shape and size: 20 cards with seeded-like text, an author and three tags. */
const card = {
  slug: 'a-practical-guide-to-postgresql-indexes-for-busy-web-applications-2k9',
  title: 'A practical guide to PostgreSQL indexes for busy web applications',
  description:
    'What a B-tree index can and cannot do for the queries a web application runs all day.',
  tagList: ['database', 'performance', 'postgresql'],
  createdAt: '2025-11-02T10:15:30.123Z',
  updatedAt: '2025-11-02T10:15:30.123Z',
  favorited: false,
  favoritesCount: 42,
  author: {
    username: 'grace_hopper87',
    bio: 'Writes about databases, compilers and the craft of software.',
    image: 'https://images.example.com/avatars/87.jpg',
    following: false,
  },
};
const page = { articles: Array.from({ length: 20 }, () => card), articlesCount: 1_000_000 };
const text = { type: 'string' };
const pageSchema = {
  response: {
    200: {
      type: 'object',
      properties: {
        articles: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              slug: text,
              title: text,
              description: text,
              tagList: { type: 'array', items: text },
              createdAt: { type: 'string', format: 'date-time' },
              updatedAt: { type: 'string', format: 'date-time' },
              favorited: { type: 'boolean' },
              favoritesCount: { type: 'integer' },
              author: {
                type: 'object',
                properties: {
                  username: text,
                  bio: text,
                  image: text,
                  following: { type: 'boolean' },
                },
              },
            },
          },
        },
        articlesCount: { type: 'integer' },
      },
    },
  },
};

app.get('/constant', { schema }, () => ({ one: 1 }));
app.get('/select-one', { schema }, async () => ({ one: await database.selectOne() }));
app.get('/select-one-page', { schema: pageSchema }, async () => {
  await database.selectOne();
  return page;
});
app.addHook('onClose', () => database.close());

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
await app.listen({ host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? '0') });
