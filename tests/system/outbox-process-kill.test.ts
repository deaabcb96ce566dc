import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/infrastructure/events/cloud-event.js';
import { KEEL_EVENT_STREAM } from '../../src/infrastructure/events/nats-consumer.js';
import {
  deadLettersTable,
  eventDeliveriesTable,
  outboxEventsTable,
} from '../../src/infrastructure/db/schema/outbox.js';
import { TEST_TOKEN_SECRET } from '../helpers/app.js';
import { unique } from '../helpers/factories.js';
import { publishedEvent } from '../helpers/outbox.js';
import {
  startPostgresFaultProxy,
  type PostgresFaultProxy,
} from '../helpers/postgres-fault-proxy.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { createTestPostgres, type TestPostgres } from './postgres.js';

/**
 * Issue #5's kill test at the level of the operating system: a Keel server process publishes an
 * event to NATS JetStream and mails its followers, and is killed with SIGKILL before either
 * delivery is settled in PostgreSQL; a second process repeats both. Every event is in the stream
 * once and every follower got one mail (spec.md §4.1: at least once, effects once).
 */

const ROOT = join(import.meta.dirname, '../..');
const natsUrl = process.env.TEST_NATS_URL ?? '';
const enabled = natsUrl !== '' && process.env.TEST_DATABASE_URL !== undefined;
/** The killed process's claims lapse after this; the second process then repeats them. */
const LEASE_MS = 3_000;
/** Waiting on state, never on time: generous for a busy machine. */
const SETTLED = { timeout: 30_000, interval: 50 };

interface Keel {
  readonly child: ChildProcess;
  readonly origin: string;
  readonly exited: Promise<NodeJS.Signals | number | null>;
}

/** Every process started, listening or not, so that none outlives the test file. */
const spawned: ChildProcess[] = [];

/**
 * Starts `src/server.ts` in production mode on `databaseUrl`, relaying to NATS and SMTP. Node
 * runs it with tsx's loader in this one process: the `tsx` command would run the server in a
 * child of its own, which a SIGKILL of the command leaves running. `signal` (the test's, aborted
 * if it times out) kills it too.
 */
function startKeel(databaseUrl: string, smtpUrl: string, signal: AbortSignal): Promise<Keel> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    signal,
    killSignal: 'SIGKILL',
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      TOKEN_SECRET: TEST_TOKEN_SECRET,
      NATS_URL: natsUrl,
      SMTP_URL: smtpUrl,
      OUTBOX_LEASE_MS: String(LEASE_MS),
      OUTBOX_POLL_MS: '100',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  spawned.push(child);
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(signal ?? code);
    });
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const origin = /Keel listening on (http:\/\/[^,]+),/.exec(line)?.[1];
      if (origin !== undefined) resolve({ child, origin, exited });
    });
    child.once('error', reject);
    void exited.then((status) => {
      reject(new Error(`Keel exited (${String(status)}) before listening`));
    });
  });
}

/** A client of one Keel process's API. */
function api(origin: string) {
  async function call(method: string, path: string, body: unknown, token?: string) {
    const response = await fetch(`${origin}/api/v1${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token !== undefined && { authorization: `Token ${token}` }),
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return response.json();
  }
  return {
    async register(): Promise<{ username: string; email: string; token: string }> {
      const username = unique();
      const email = `${username}@example.com`;
      const { user } = (await call('POST', '/users', {
        user: { username, email, password: 'password123' },
      })) as { user: { token: string } };
      return { username, email, token: user.token };
    },
    async follow(reader: { token: string }, author: { username: string }): Promise<void> {
      await call('POST', `/profiles/${author.username}/follow`, {}, reader.token);
    },
    async publish(author: { token: string }, title: string): Promise<string> {
      const { article } = (await call(
        'POST',
        '/articles',
        { article: { title, description: 'd', body: 'b' } },
        author.token,
      )) as { article: { slug: string } };
      return article.slug;
    },
  };
}

describe.runIf(enabled)(
  'a Keel process killed between publishing and settling',
  // About 20 s; most of it is two servers starting, which takes several times longer on a busy
  // two-core machine.
  { timeout: 120_000 },
  () => {
    let database: TestPostgres;
    let proxy: PostgresFaultProxy;
    let smtp: TestSmtpServer;
    let nc: NatsConnection;
    let jsm: JetStreamManager;
    /** The stream's first sequence this test may have written. */
    let firstSequence: number;

    beforeAll(async () => {
      database = await createTestPostgres();
      proxy = await startPostgresFaultProxy(database.url);
      smtp = await startSmtpServer();
      nc = await connect({ servers: natsUrl });
      jsm = await jetstreamManager(nc);
      firstSequence = await jsm.streams.info(KEEL_EVENT_STREAM.name).then(
        (info) => info.state.last_seq + 1,
        (error: unknown) => {
          // The first process creates the stream.
          if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
            return 1;
          throw error;
        },
      );
    });

    afterAll(async () => {
      // A test that failed half-way leaves its processes running.
      await Promise.all(
        spawned
          .filter((child) => child.exitCode === null && child.signalCode === null)
          .map(
            (child) =>
              new Promise((resolve) => {
                child.once('exit', resolve);
                child.kill('SIGKILL');
              }),
          ),
      );
      try {
        // Keel's stream is shared with whatever else runs on this NATS: remove only this run's.
        for (const { sequence } of await streamed()) {
          await jsm.streams.deleteMessage(KEEL_EVENT_STREAM.name, sequence);
        }
      } finally {
        await nc.close();
        await proxy.close();
        await smtp.close();
        await database.drop();
      }
    });

    /** This database's events in Keel's stream (others may share it): sequence and event id. */
    async function streamed(): Promise<{ sequence: number; id: string }[]> {
      const ours = new Set(
        (await database.handle.db.select({ id: outboxEventsTable.id }).from(outboxEventsTable)).map(
          (event) => event.id,
        ),
      );
      const { state } = await jsm.streams.info(KEEL_EVENT_STREAM.name);
      const found = [];
      for (let sequence = firstSequence; sequence <= state.last_seq; sequence++) {
        const message = await jsm.streams.getMessage(KEEL_EVENT_STREAM.name, { seq: sequence });
        const id = message?.json<CloudEvent>().id;
        if (id !== undefined && ours.has(id)) found.push({ sequence, id });
      }
      return found;
    }

    async function owed() {
      return database.handle.db
        .select({
          consumer: eventDeliveriesTable.consumer,
          eventSequence: eventDeliveriesTable.eventSequence,
          lease: eventDeliveriesTable.lease,
        })
        .from(eventDeliveriesTable)
        .orderBy(asc(eventDeliveriesTable.consumer));
    }

    it('delivers every event at least once and each effect once after a SIGKILL mid-delivery', async ({
      signal,
    }) => {
      // The first process reaches PostgreSQL through the fault proxy.
      const first = await startKeel(proxy.url, smtp.url, signal);
      const client = api(first.origin);
      const author = await client.register();
      const followers = [await client.register(), await client.register()];
      for (const follower of followers) await client.follow(follower, author);
      // Its relay delivers and settles as usual: registrations and follows go to NATS.
      await expect.poll(owed, SETTLED).toEqual([]);

      // From now on no settle of a delivered event reaches PostgreSQL.
      proxy.hold((sql) => sql.startsWith('delete from "event_deliveries"'));
      const slug = await client.publish(author, 'Written before the crash');
      const event = await publishedEvent(database.handle.db, slug);
      // Both consumers did their part (the stream has the event, each follower a mail); neither
      // settle got through.
      await expect.poll(() => proxy.held().length, SETTLED).toBe(2);
      expect((await streamed()).filter((message) => message.id === event.id)).toHaveLength(1);
      expect(smtp.received.map((mail) => mail.to)).toEqual(
        followers.map((follower) => [follower.email]),
      );

      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      // What it left behind: both deliveries claimed and never settled.
      expect(await owed()).toEqual([
        { consumer: 'nats', eventSequence: event.sequence, lease: expect.any(String) },
        { consumer: 'notifications', eventSequence: event.sequence, lease: expect.any(String) },
      ]);

      // A second process, on a direct connection, takes them over once the lease lapses.
      const second = await startKeel(database.url, smtp.url, signal);
      await expect.poll(owed, SETTLED).toEqual([]);
      // It delivered both again (a settle is counted just after its row is gone).
      const delivered = async () =>
        (await (await fetch(`${second.origin}/metrics`)).text())
          .match(/^outbox_deliveries_total\{consumer="\w+",outcome="delivered"\} \d+$/gm)
          ?.sort();
      await expect
        .poll(delivered, SETTLED)
        .toEqual([
          'outbox_deliveries_total{consumer="nats",outcome="delivered"} 1',
          'outbox_deliveries_total{consumer="notifications",outcome="delivered"} 1',
        ]);
      expect(await database.handle.db.select().from(deadLettersTable)).toEqual([]);

      // Every event in the stream exactly once: the repeat was dropped by its message id.
      const events = await database.handle.db
        .select({ id: outboxEventsTable.id })
        .from(outboxEventsTable);
      expect(events).toHaveLength(6);
      expect((await streamed()).map((message) => message.id).sort()).toEqual(
        events.map((stored) => stored.id).sort(),
      );
      // Every follower mailed once: the repeat found them all told.
      expect(smtp.received.map((mail) => [mail.to, mail.accepted])).toEqual(
        followers.map((follower) => [[follower.email], true]),
      );

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    });
  },
);
