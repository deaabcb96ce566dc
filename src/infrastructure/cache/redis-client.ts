import { Redis } from 'ioredis';

/** Where the Redis client reports connection trouble; pino and Fastify's logger fit. */
export interface RedisLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export interface RedisClientOptions {
  /** Giving up on opening a connection (TCP and handshake). */
  readonly connectTimeoutMs?: number;
  /** A command with no reply by then is rejected: a paused server can't hold requests. */
  readonly commandTimeoutMs?: number;
  /** Reconnection attempts back off up to this delay, forever: Redis coming back is noticed. */
  readonly maxReconnectDelayMs?: number;
}

/**
 * A Redis client for `url` (`redis://` or `rediss://` for TLS) that fails fast: nothing is queued
 * while disconnected, a command in flight when the connection drops is rejected rather than
 * re-sent (an INCR must not count twice), and it reconnects on its own. Lazy: it connects on its
 * first command (which fails, since nothing waits for the connection) or on `connect()`.
 */
export function createRedisClient(
  url: string,
  log: RedisLog,
  options: RedisClientOptions = {},
): Redis {
  const { connectTimeoutMs = 1_000, commandTimeoutMs = 500, maxReconnectDelayMs = 2_000 } = options;
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, maxReconnectDelayMs),
  });
  // Connection errors repeat on every reconnection attempt: one warning when the connection is
  // lost, one line when it is back, the attempts in between only at debug level.
  let connected = false;
  client.on('ready', () => {
    connected = true;
    log.info({}, 'redis connected');
  });
  client.on('error', (error: Error & { code?: string }) => {
    if (connected) {
      connected = false;
      log.warn({ code: error.code, message: error.message }, 'redis connection lost');
    } else {
      log.debug({ code: error.code, message: error.message }, 'redis unreachable');
    }
  });
  return client;
}
