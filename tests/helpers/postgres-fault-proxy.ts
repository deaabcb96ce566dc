import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can stop chosen statements from ever reaching it (the
 * fault of a process that died after sending a statement's predecessors but before this one),
 * slow the answers from a chosen statement on, cut the network between the two, or reset every
 * connection. (A delay on every connection from the start: `latency-proxy.ts`.)
 */
export interface PostgresFaultProxy {
  /** The database URL through the proxy (same database, user and options). */
  readonly url: string;
  /**
   * From now on, a statement whose SQL `matches` is held on every connection: it and everything
   * its client sends after it are never forwarded, so its client waits forever for an answer.
   * Other connections carry on.
   */
  hold(matches: (sql: string) => boolean): void;
  /** The SQL of every statement held so far. */
  held(): readonly string[];
  /**
   * From now on, once a connection sends a statement whose SQL `matches`, everything the server
   * sends back on that connection comes `ms` late (in order), that statement's answer first: the
   * statement itself reaches the server at once, so it takes effect, but its client hears of it
   * late. Other connections carry on.
   */
  slowAnswersFrom(matches: (sql: string) => boolean, ms: number): void;
  /**
   * From now on every byte, either way, on every connection open or new, vanishes: a partition
   * behind a firewall that lost its state. Nothing is refused or reset; answers never come.
   */
  partition(): void;
  /** Bytes flow again; what vanished stays lost, so the connections open meanwhile are broken. */
  heal(): void;
  /** Resets every open connection, as a server crash or a balancer cutting them would. */
  cutAll(): void;
  close(): Promise<void>;
}

// Before the startup message is through, a client's messages carry no type byte; an SSL or GSS
// encryption request is answered with one byte and followed by another untyped message.
const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;
const QUERY = 0x51; // 'Q': a simple query
const PARSE = 0x50; // 'P': the extended protocol's statement text

function cString(message: Buffer, start: number): string {
  return message.toString('utf8', start, message.indexOf(0, start));
}

/** The SQL a typed frontend message carries, if it carries any. */
function statementOf(message: Buffer): string | undefined {
  if (message[0] === QUERY) return cString(message, 5);
  // Parse: the statement's name, then its text.
  if (message[0] === PARSE) return cString(message, message.indexOf(0, 5) + 1);
  return undefined;
}

/**
 * Splits a client's byte stream into whole frontend messages (PostgreSQL protocol 3), calling
 * `each` with every message and whether it is typed (past the startup).
 */
function frontendMessages(each: (message: Buffer, typed: boolean) => void) {
  let pending = Buffer.alloc(0);
  let startup = true;
  return (chunk: Buffer): void => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const typeLength = startup ? 0 : 1;
      if (pending.length < typeLength + 4) return;
      const length = typeLength + pending.readInt32BE(typeLength);
      if (pending.length < length) return;
      const message = pending.subarray(0, length);
      pending = pending.subarray(length);
      if (startup) {
        const code = message.readInt32BE(4);
        startup = code === SSL_REQUEST || code === GSSENC_REQUEST;
        each(message, false);
      } else {
        each(message, true);
      }
    }
  };
}

/** Starts a proxy on a free port of 127.0.0.1 to the server of `databaseUrl`. */
export async function startPostgresFaultProxy(databaseUrl: string): Promise<PostgresFaultProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const heldStatements: string[] = [];
  let matches: ((sql: string) => boolean) | undefined;
  let slowFrom: { matches: (sql: string) => boolean; ms: number } | undefined;
  let partitioned = false;

  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    let holding = false;
    let answersLateBy = 0;
    const forward = frontendMessages((message, typed) => {
      const sql = typed && !holding ? statementOf(message) : undefined;
      if (sql !== undefined && matches?.(sql) === true) {
        holding = true;
        heldStatements.push(sql);
      }
      if (sql !== undefined && slowFrom?.matches(sql) === true) answersLateBy = slowFrom.ms;
      if (!holding) upstream.write(message);
    });
    client.on('data', (chunk: Buffer) => {
      if (!partitioned) forward(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (partitioned) return;
      // One delay for every chunk from then on: timers of one duration fire in the order set.
      if (answersLateBy === 0) client.write(chunk);
      else
        setTimeout(() => {
          if (!client.destroyed) client.write(chunk);
        }, answersLateBy);
    });
    // Either side going away (a killed client resets its connections) ends the other, so the
    // server's session ends as it would had the client's process died on a direct connection.
    for (const [socket, peer] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(socket);
      socket.on('error', () => peer.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        peer.destroy();
      });
    }
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });

  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    hold(predicate) {
      matches = predicate;
    },
    held: () => heldStatements,
    slowAnswersFrom(predicate, ms) {
      slowFrom = { matches: predicate, ms };
    },
    partition() {
      partitioned = true;
    },
    heal() {
      partitioned = false;
    },
    cutAll() {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
