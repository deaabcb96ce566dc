import {
  ceilingApp,
  embeddedCeiling,
  postgresCeiling,
  type CeilingDatabase,
} from './ceiling-app.js';

/**
 * The ceilings' process (ceiling-app.ts), which the bench starts beside Keel's.
 *
 * Environment: PORT, HOST, DATABASE_URL and DATABASE_POOL_SIZE, or DATA_DIR for PGlite, and
 * TOKEN_SECRET, Keel's, for the tokens the bare reads take.
 */
const env = process.env;
const tokenSecret = env.TOKEN_SECRET;
if (tokenSecret === undefined)
  throw new Error('TOKEN_SECRET is required: the secret of Keel tokens');

async function openDatabase(): Promise<CeilingDatabase> {
  if (env.DATABASE_URL !== undefined) {
    return postgresCeiling(env.DATABASE_URL, Number(env.DATABASE_POOL_SIZE ?? '10'));
  }
  // Imported only here: the PostgreSQL ceilings never start PGlite.
  const { PGlite } = await import('@electric-sql/pglite');
  return embeddedCeiling(await PGlite.create({ dataDir: `${env.DATA_DIR ?? './data'}/pglite` }));
}

const app = ceilingApp(await openDatabase(), tokenSecret);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
await app.listen({ host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? '0') });
