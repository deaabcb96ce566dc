import { buildApp } from './core/app.js';
import { ConfigError, loadConfig, type Config } from './core/config.js';
import { resolveTokenSecret } from './core/security/token-secret.js';
import {
  connectPostgres,
  openEmbedded,
  type DatabaseHandle,
} from './infrastructure/db/database.js';

async function openDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.database.kind === 'postgres') return connectPostgres(config.database);
  // Embedded mode is one process owning its data: it migrates itself at start.
  const handle = await openEmbedded(`${config.dataDir}/pglite`);
  await handle.migrate();
  return handle;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const database = await openDatabase(config);
  const bootLog = (await import('pino')).default({ level: config.logLevel });
  const app = await buildApp({
    config,
    db: database.db,
    tokenSecret: await resolveTokenSecret(config, bootLog),
  });
  app.addHook('onClose', () => database.close());

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down');
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }

  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { database: database.kind, docs: `${address}/docs` },
    `Keel listening on ${address}, API docs at ${address}/docs`,
  );
}

main().catch((error: unknown) => {
  // Start-up failed before the logger could be trusted: one readable line, then exit.
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : String((error as Error).stack ?? error)}\n`,
  );
  process.exit(1);
});
