import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP proxy that delays what it carries, either way, without losing or reordering a byte: a
 * dependency that is slow, not dead. It knows no protocol, so it sits in front of PostgreSQL and
 * Redis alike.
 */
export interface LatencyProxy {
  /** The port on 127.0.0.1 that leads to the target. */
  readonly port: number;
  /**
   * From now on every chunk read from the client (`toServer`) or from the server (`toClient`) is
   * passed on that many milliseconds after it arrived, on every connection open or new. Chunks
   * already waiting keep their time, and nothing overtakes them: lowering the delay never
   * reorders a stream. Omitted directions keep their delay.
   */
  delay(ms: { readonly toServer?: number; readonly toClient?: number }): void;
  /** Bytes read from clients so far, all connections together (the requests sent). */
  readonly bytesFromClients: () => number;
  /** Connections open now. */
  readonly connections: () => number;
  close(): Promise<void>;
}

/**
 * Passes what `from` sends to `to`, each chunk `delayOf()` ms after it arrived, in order; the end
 * of the stream follows its last chunk. A reset on either side resets the other at once.
 */
function delayedPipe(from: Socket, to: Socket, delayOf: () => number, count: (n: number) => void) {
  const queue: { due: number; chunk: Buffer | 'end' }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastDue = 0;

  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && (queue[0]?.due ?? Infinity) <= now) {
      const next = queue.shift();
      if (next === undefined) break;
      if (next.chunk === 'end') to.end();
      else if (!to.destroyed) to.write(next.chunk);
    }
    const first = queue[0];
    if (first !== undefined) timer = setTimeout(flush, Math.max(0, first.due - now));
  };
  const push = (chunk: Buffer | 'end'): void => {
    // Never before the chunk ahead of it, whatever the delay is now.
    lastDue = Math.max(performance.now() + delayOf(), lastDue);
    queue.push({ due: lastDue, chunk });
    timer ??= setTimeout(flush, Math.max(0, lastDue - performance.now()));
  };

  from.on('data', (chunk: Buffer) => {
    count(chunk.length);
    push(chunk);
  });
  from.on('end', () => {
    push('end');
  });
  from.on('close', (hadError) => {
    if (hadError) to.destroy();
  });
  from.on('error', () => {
    clearTimeout(timer);
    queue.length = 0;
    to.destroy();
  });
}

/** Starts a latency proxy, with no delay yet, to `host`:`port`. */
export async function startLatencyProxy(host: string, port: number): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const delays = { toServer: 0, toClient: 0 };
  let fromClients = 0;

  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host, port, allowHalfOpen: true });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    delayedPipe(
      client,
      upstream,
      () => delays.toServer,
      (n) => {
        fromClients += n;
      },
    );
    delayedPipe(
      upstream,
      client,
      () => delays.toClient,
      () => undefined,
    );
  });
  const listening = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });

  return {
    port: listening,
    delay(ms) {
      delays.toServer = ms.toServer ?? delays.toServer;
      delays.toClient = ms.toClient ?? delays.toClient;
    },
    bytesFromClients: () => fromClients,
    // Each connection is two sockets, the client's and the one upstream.
    connections: () => Math.ceil(sockets.size / 2),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
