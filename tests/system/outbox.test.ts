import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import { loadConfig } from '../../src/core/config.js';
import type { CommittedEvent, EventConsumer } from '../../src/domain/shared/events.js';
import { createDeliveryStore } from '../../src/infrastructure/db/outbox/delivery-store.js';
import type { CloudEvent } from '../../src/infrastructure/events/cloud-event.js';
import {
  createNatsConsumer,
  type EventStream,
  type NatsConsumer,
} from '../../src/infrastructure/events/nats-consumer.js';
import { TEST_ENVIRONMENT, TEST_APP_OPTIONS } from '../helpers/app.js';
import { createArticle, registerUser } from '../helpers/factories.js';
import { drain, outboxEvents, recordInterleaved, testRelay } from '../helpers/outbox.js';
import { createTestPostgres, type TestPostgres } from './postgres.js';

/**
 * The outbox on a real PostgreSQL, relayed to the real NATS JetStream (spec.md §3): every event
 * stored once as a CloudEvent, even when a relay dies between publishing and settling; relays
 * running at once never deliver one claim twice and keep each aggregate's order.
 */
const natsUrl = process.env.TEST_NATS_URL ?? '';
const enabled = natsUrl !== '' && process.env.TEST_DATABASE_URL !== undefined;

describe.runIf(enabled)('the outbox relayed to NATS JetStream', { timeout: 60_000 }, () => {
  let database: TestPostgres;
  let app: FastifyInstance;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  // A stream of this run's own, so the machine's other streams are never touched.
  const suffix = randomBytes(4).toString('hex');
  const stream: EventStream = {
    name: `KEEL_TEST_${suffix}`,
    subjectPrefix: `keeltest${suffix}.events`,
  };
  let nats: NatsConsumer;

  beforeAll(async () => {
    database = await createTestPostgres();
    // This instance records deliveries for NATS; the tests run the relays themselves.
    app = await buildApp({
      ...TEST_APP_OPTIONS,
      config: loadConfig({ ...TEST_ENVIRONMENT, NATS_URL: natsUrl }),
      database: database.handle,
    });
    await app.ready();
    nc = await connect({ servers: natsUrl });
    jsm = await jetstreamManager(nc);
    nats = createNatsConsumer(natsUrl, stream);
  });
  afterAll(async () => {
    await nats.close();
    await jsm.streams.delete(stream.name);
    await nc.close();
    await app.close();
    await database.drop();
  });

  /** Every CloudEvent in the test stream, in stream order. */
  async function published(): Promise<
    { subject: string; type: string | undefined; event: CloudEvent }[]
  > {
    const { state } = await jsm.streams.info(stream.name);
    const messages = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const message = await jsm.streams.getMessage(stream.name, { seq });
      if (message === null) continue;
      messages.push({
        subject: message.subject,
        type: message.header.get('Content-Type'),
        event: message.json<CloudEvent>(),
      });
    }
    return messages;
  }

  it('publishes each committed event once, as a CloudEvent on its type’s subject', async () => {
    const author = await registerUser(app);
    const article = await createArticle(app, author, { title: 'On the wire' });
    const { relay } = testRelay(database.handle.db, [nats]);
    await drain(relay);

    const events = await outboxEvents(database.handle.db);
    const messages = await published();
    expect(messages.map((message) => message.subject)).toEqual(
      events.map((event) => `${stream.subjectPrefix}.${event.type}`),
    );
    const publishedArticle = messages.find((m) => m.event.type === 'keel.article.published.v1');
    expect(publishedArticle?.type).toBe('application/cloudevents+json');
    expect(publishedArticle?.event).toMatchObject({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      source: '/keel',
      subject: expect.stringMatching(/^article\/\d+$/),
      datacontenttype: 'application/json',
      data: { slug: article.slug, title: 'On the wire', tagList: [] },
    });
    expect(Date.parse(publishedArticle?.event.time ?? '')).not.toBeNaN();
  });

  it('stores an event once when a relay dies between publishing and settling', async () => {
    const before = (await published()).length;
    const author = await registerUser(app);
    await createArticle(app, author);
    const store = createDeliveryStore(database.handle.db);
    const dying = testRelay(database.handle.db, [nats], {
      leaseMs: 20,
      store: { ...store, complete: () => Promise.reject(new Error('process killed')) },
    });
    expect(await dying.relay.runOnce()).toBe(2);
    expect((await published()).length).toBe(before + 2);

    await new Promise((resolve) => setTimeout(resolve, 50));
    const { relay, outcomes } = testRelay(database.handle.db, [nats]);
    // Delivered again (at least once); JetStream dropped the repeats by message id.
    expect(await drain(relay)).toBe(2);
    expect(outcomes).toEqual(['delivered', 'delivered']);
    const messages = await published();
    expect(messages.length).toBe(before + 2);
    expect(new Set(messages.map((message) => message.event.id)).size).toBe(messages.length);
  });

  it('creates its stream anew when the stream is lost while Keel runs, at the next try', async () => {
    const db = database.handle.db;
    await drain(testRelay(db, [nats]).relay);
    // The stream goes (a NATS server restarted without its JetStream storage, an operator's
    // delete) while the consumer's connection stays up.
    await jsm.streams.delete(stream.name);
    const user = await registerUser(app);
    const { relay, outcomes } = testRelay(db, [nats]);
    await drain(relay);
    // The publish no stream took fails its try; the next finds the stream missing and adds it.
    expect(outcomes).toEqual(['retried', 'delivered']);
    const messages = await published();
    expect(messages.map((message) => message.event.data)).toEqual([
      expect.objectContaining({ username: user.username }),
    ]);
  });

  it('lets relays run at once: no claim delivered twice, every aggregate in order', async () => {
    const db = database.handle.db;
    const seen: CommittedEvent[] = [];
    const counting: EventConsumer = {
      name: 'counting',
      accepts: () => true,
      async deliver(committed) {
        seen.push(committed);
        // Long enough for the other relays to claim meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    };
    const aggregates = 20;
    const perAggregate = 10;
    await recordInterleaved(db, 'counting', { aggregates, perAggregate, firstId: 5_001 });
    const relays = [1, 2, 3].map(() => testRelay(db, [counting], { batchSize: 7 }).relay);
    await Promise.all(relays.map((relay) => drain(relay)));

    expect(seen).toHaveLength(aggregates * perAggregate);
    expect(new Set(seen.map((committed) => committed.id)).size).toBe(seen.length);
    for (let aggregate = 1; aggregate <= aggregates; aggregate++) {
      const order = seen
        .filter((committed) => committed.event.aggregate.id === 5_000 + aggregate)
        .map((committed) => committed.sequence);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });
});
