import { pino, type Logger } from 'pino';
import { buildApp } from './core/app.js';
import { loadEnvironmentConfig, type Config } from './core/config.js';
import { logFatal } from './core/operator-error.js';
import { currentRequestStart } from './core/request-context.js';
import { resolveTokenSecret } from './core/security/token-secret.js';
import {
  connectPostgres,
  openConfiguredDatabase,
  type DatabaseHandle,
} from './infrastructure/db/database.js';

async function openDatabase(config: Config, log: Logger): Promise<DatabaseHandle> {
  const handle = await openConfiguredDatabase(config, log, currentRequestStart);
  // Embedded mode is one process owning its data: it migrates itself at start.
  if (handle.kind === 'embedded') await handle.migrate();
  return handle;
}

async function main(bootLog: Logger): Promise<void> {
  const config = loadEnvironmentConfig();
  bootLog.level = config.logLevel;
  const database = await openDatabase(config, bootLog);
  const tokenSecret = await resolveTokenSecret(config, bootLog);
  const readDatabase =
    config.database.kind === 'postgres' && config.readDatabaseUrl !== undefined
      ? connectPostgres(
          { ...config.database, url: config.readDatabaseUrl },
          bootLog,
          currentRequestStart,
        )
      : undefined;
  const app = await buildApp({
    config,
    database,
    tokenSecret,
    ...(readDatabase && { readDatabase }),
  });
  app.addHook('onClose', async () => {
    await Promise.all([database.close(), readDatabase?.close()]);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down: refusing new requests, finishing those in flight');
      // Bounded: a request that never ends must not keep a stopping process alive forever.
      setTimeout(() => {
        app.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out');
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
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

// Logs written before the app exists (secret warning, start-up failure), as JSON like the rest.
const bootLog = pino();
main(bootLog).catch((error: unknown) => {
  logFatal(bootLog, error, 'Keel failed to start');
  process.exit(1);
});
