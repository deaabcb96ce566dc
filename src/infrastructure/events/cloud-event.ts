import type { CommittedEvent } from '../../domain/shared/events.js';

/** Where Keel's events come from, as CloudEvents `source` (a URI reference). */
export const EVENT_SOURCE = '/keel';

/** A committed event in the CloudEvents 1.0 JSON format (structured mode). */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  /** `keel.<event type>.v<version>`: a new version is a new type to consumers. */
  readonly type: string;
  /** The aggregate, `<type>/<id>`. */
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: unknown;
}

export function toCloudEvent({ id, occurredAt, event }: CommittedEvent): CloudEvent {
  return {
    specversion: '1.0',
    id,
    source: EVENT_SOURCE,
    type: `keel.${event.type}.v${String(event.version)}`,
    subject: `${event.aggregate.type}/${String(event.aggregate.id)}`,
    time: occurredAt.toISOString(),
    datacontenttype: 'application/json',
    data: event.payload,
  };
}
