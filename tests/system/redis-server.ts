import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { createMemoryRateLimitStore } from '../../src/infrastructure/cache/memory-rate-limit-store.js';
import { createRedisGuard, type GuardLog } from '../../src/infrastructure/cache/redis-guard.js';
import { createRedisRateLimitStore } from '../../src/infrastructure/cache/redis-rate-limit-store.js';
import {
  createResilientRateLimitStore,
  type ResilientRateLimitStore,
  type StoreLog,
} from '../../src/infrastructure/cache/resilient-rate-limit-store.js';

/** Throwaway `redis-server` processes for the fault tests: started, killed, paused and restarted. */

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A redis-server of our own, with no persistence, ready to accept connections. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => {
      reject(new Error(`redis-server exited with ${String(code)} before it was ready`));
    });
  });
  try {
    await Promise.race([
      ready,
      sleep(10_000).then(() => {
        throw new Error('redis-server not ready within 10 s');
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}

/** Kills `child` (resumed first if paused) and waits for it to exit. */
export async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  // A paused process ends on SIGKILL too, but resume it first so nothing lingers in doubt.
  child.kill('SIGCONT');
  child.kill('SIGKILL');
  await exited;
}

/** Waits (bounded) until `check` holds, polling every 25 ms. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${String(timeoutMs)} ms`);
    await sleep(25);
  }
}

/**
 * Rate limits on `redis` behind the fault tests' quick breaker: each hit waits 50 ms at most,
 * three failures in a row open it, and it lets a probe through after `halfOpenAfterMs`.
 */
export function quickBreakerStore(
  redis: Redis,
  log: GuardLog & StoreLog,
  halfOpenAfterMs: number,
): ResilientRateLimitStore {
  return createResilientRateLimitStore(
    createRedisRateLimitStore(redis),
    createMemoryRateLimitStore(),
    createRedisGuard(log, { timeoutMs: 50, failuresToOpen: 3, halfOpenAfterMs }),
    log,
  );
}
