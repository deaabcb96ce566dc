import Fastify from 'fastify';
import pg from 'pg';

/**
 * The two ceilings Keel is measured against, run as their own process by the bench: a bare
 * Fastify route returning a constant (framework ceiling) and one running `select 1` on the
 * database Keel uses, through a node-postgres pool of Keel's size (framework + driver + one
 * round trip). Both serialize through a response schema, as Keel's routes do.
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
app.get('/constant', { schema }, () => ({ one: 1 }));
app.get('/select-one', { schema }, async () => ({ one: await database.selectOne() }));
app.addHook('onClose', () => database.close());

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
await app.listen({ host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? '0') });
