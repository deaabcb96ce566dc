import { Redis } from 'ioredis';

/**
 * Refuses a run with `--redis-url` whose Redis does not answer: Keel would still start, count its
 * rate limits in memory after each timeout and cache nothing, and the run would be reported as
 * with Redis. Only the host is named, never the URL (it may hold a password).
 */
export async function expectRedisAnswers(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The failure is reported by connect's rejection below; ioredis also emits it as an event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`--redis-url: Redis at ${new URL(url).host} does not answer (${reason})`, {
      cause: error,
    });
  } finally {
    client.disconnect();
  }
}
