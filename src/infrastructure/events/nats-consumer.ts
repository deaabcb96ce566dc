import {
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
} from '@nats-io/jetstream';
import { connect, headers, nanos, type NatsConnection } from '@nats-io/transport-node';
import { toCloudEvent } from './cloud-event.js';
import type { EventConsumer } from '../../domain/shared/events.js';

/** Where the events go: a stream (created when missing) and its subjects' prefix. */
export interface EventStream {
  readonly name: string;
  readonly subjectPrefix: string;
}

/** Keel's stream; an operator may create it beforehand with other limits (retention, replicas). */
export const KEEL_EVENT_STREAM: EventStream = { name: 'KEEL_EVENTS', subjectPrefix: 'keel.events' };
/**
 * JetStream drops a message whose id it saw this recently. A delivery is repeated only after its
 * lease lapsed (spec.md §4.1), well within this window, so a repeat is never stored twice.
 */
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
const PUBLISH_TIMEOUT_MS = 5_000;

export interface NatsConsumer extends EventConsumer {
  /** Flushes and closes the connection, if one was opened. */
  close(): Promise<void>;
}

/**
 * Publishes every event to NATS JetStream as a CloudEvent (structured JSON), one subject per
 * event type (`keel.events.article.published`), with the event id as the message id so the
 * stream stores each event once however often the relay delivers it. Connects on the first
 * delivery; a failed connection is tried again on the next one (the relay's backoff paces it),
 * and an established one reconnects by itself.
 */
export function createNatsConsumer(
  url: string,
  stream: EventStream = KEEL_EVENT_STREAM,
): NatsConsumer {
  let connection: Promise<NatsConnection> | undefined;
  // Set once connected: only the relay's deliveries connect, and it has stopped before close.
  let established: NatsConnection | undefined;

  async function open(): Promise<NatsConnection> {
    const nc = await connect({ servers: url, maxReconnectAttempts: -1, name: 'keel-outbox' });
    try {
      const manager = await jetstreamManager(nc);
      await manager.streams.info(stream.name).catch(async (error: unknown) => {
        if (
          !(error instanceof JetStreamApiError) ||
          error.code !== JetStreamApiCodes.StreamNotFound
        ) {
          throw error;
        }
        // Instances starting together may both add it: the same configuration twice is accepted.
        await manager.streams.add({
          name: stream.name,
          subjects: [`${stream.subjectPrefix}.>`],
          duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        });
      });
      established = nc;
      return nc;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  function connected(): Promise<NatsConnection> {
    connection ??= open().catch((error: unknown) => {
      connection = undefined;
      throw error;
    });
    return connection;
  }

  return {
    name: 'nats',
    accepts: () => true,
    async deliver(committed) {
      const nc = await connected();
      const envelope = headers();
      envelope.set('Content-Type', 'application/cloudevents+json');
      await jetstream(nc).publish(
        `${stream.subjectPrefix}.${committed.event.type}`,
        JSON.stringify(toCloudEvent(committed)),
        { msgID: committed.id, headers: envelope, timeout: PUBLISH_TIMEOUT_MS },
      );
    },
    async close() {
      const nc = established;
      connection = undefined;
      established = undefined;
      await nc?.drain();
    },
  };
}
