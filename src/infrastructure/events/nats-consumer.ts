import {
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
} from '@nats-io/jetstream';
import {
  connect,
  headers,
  nanos,
  RequestError,
  type NatsConnection,
} from '@nats-io/transport-node';
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

function noResponders(error: unknown): boolean {
  return error instanceof RequestError && error.isNoResponders();
}

export interface NatsConsumer extends EventConsumer {
  /** Flushes and closes the connection, if one was opened. */
  close(): Promise<void>;
}

/**
 * Publishes every event to NATS JetStream as a CloudEvent (structured JSON), one subject per event
 * type (`keel.events.article.published`), with the event id as the message id so the stream drops a
 * repeat within its duplicate window (spec.md §4.1 says which repeats that misses). Connects on the
 * first delivery; a failed connection is tried again on the next one (the relay's backoff paces
 * it), and an established one reconnects by itself. The stream is looked up (and created when
 * missing) before the first publish, and again after a publish no stream took: a stream lost
 * meanwhile (a NATS server restarted without its JetStream storage, an operator's delete) is
 * created anew by the next try instead of failing every try until Keel restarts.
 */
export function createNatsConsumer(
  url: string,
  stream: EventStream = KEEL_EVENT_STREAM,
): NatsConsumer {
  let connection: Promise<NatsConnection> | undefined;
  // Set once connected: only the relay's deliveries connect, and it has stopped before close.
  let established: NatsConnection | undefined;
  // The stream's lookup on this connection; forgotten when a publish finds no stream.
  let streamFound: Promise<void> | undefined;

  async function findOrCreateStream(nc: NatsConnection): Promise<void> {
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
  }

  function connected(): Promise<NatsConnection> {
    connection ??= connect({ servers: url, maxReconnectAttempts: -1, name: 'keel-outbox' }).then(
      (nc) => {
        established = nc;
        return nc;
      },
      (error: unknown) => {
        connection = undefined;
        throw error;
      },
    );
    return connection;
  }

  function withStream(nc: NatsConnection): Promise<void> {
    streamFound ??= findOrCreateStream(nc).catch((error: unknown) => {
      streamFound = undefined;
      throw error;
    });
    return streamFound;
  }

  return {
    name: 'nats',
    accepts: () => true,
    async deliver(committed) {
      const nc = await connected();
      await withStream(nc);
      const envelope = headers();
      envelope.set('Content-Type', 'application/cloudevents+json');
      try {
        await jetstream(nc).publish(
          `${stream.subjectPrefix}.${committed.event.type}`,
          JSON.stringify(toCloudEvent(committed)),
          { msgID: committed.id, headers: envelope, timeout: PUBLISH_TIMEOUT_MS },
        );
      } catch (error) {
        // No stream listens on the subject (the client reports it as JetStream not enabled, caused
        // by no responders): the next try looks the stream up again, and creates it.
        if (error instanceof Error && noResponders(error.cause)) streamFound = undefined;
        throw error;
      }
    },
    async close() {
      const nc = established;
      connection = undefined;
      established = undefined;
      streamFound = undefined;
      await nc?.drain();
    },
  };
}
