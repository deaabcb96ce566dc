import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { usersTable } from './identity.js';

const at = (name: string) => timestamp(name, { precision: 3, withTimezone: true });

/**
 * The transactional outbox (spec.md §4.1): every domain event, written in the transaction of the
 * change it describes. Kept for `OUTBOX_RETENTION_DAYS` once no consumer still owes it delivery.
 */
export const outboxEventsTable = pgTable(
  'outbox_events',
  {
    /** Allocation order; the order of delivery within an aggregate. */
    sequence: bigint('sequence', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The event's identity outside the database: CloudEvents `id`, NATS message id. */
    id: uuid('id').notNull().unique(),
    type: text('type').notNull(),
    version: smallint('version').notNull(),
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: integer('aggregate_id').notNull(),
    payload: jsonb('payload').notNull(),
    occurredAt: at('occurred_at').notNull().defaultNow(),
  },
  // The retention cleanup deletes by age.
  (table) => [index('outbox_events_occurred_at_idx').on(table.occurredAt)],
);

/**
 * What each consumer still owes: one row per (consumer, event), deleted once delivered. A relay
 * claims a row by setting `lease` and `leased_until`; a lapsed lease (a relay that died) makes
 * it claimable again. A consumer's rows of one aggregate form a line in `id` order: the recorder
 * inserts them in `sequence` order, and a re-driven one, inserted anew, joins the back.
 */
export const eventDeliveriesTable = pgTable(
  'event_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    consumer: text('consumer').notNull(),
    eventSequence: bigint('event_sequence', { mode: 'number' })
      .notNull()
      .references(() => outboxEventsTable.sequence),
    /** `<aggregate type>:<id>`: a consumer gets an aggregate's events one at a time, in line. */
    aggregate: text('aggregate').notNull(),
    /** Tries started, counted when claimed, so an event that kills its relay still runs out. */
    attempts: smallint('attempts').notNull().default(0),
    availableAt: at('available_at').notNull().defaultNow(),
    /** Which claim holds the row: only that claim may settle it. */
    lease: uuid('lease'),
    leasedUntil: at('leased_until'),
    lastError: text('last_error'),
  },
  (table) => [
    unique('event_deliveries_consumer_event_key').on(table.consumer, table.eventSequence),
    // The claim's "no delivery ahead of it in its aggregate's line" probe.
    index('event_deliveries_line_idx').on(table.consumer, table.aggregate, table.id),
    // sql: check constraint: a claim is a lease and its expiry together.
    check(
      'event_deliveries_lease_check',
      sql`(${table.lease} is null) = (${table.leasedUntil} is null)`,
    ),
  ],
);

/** Deliveries that failed `OUTBOX_MAX_ATTEMPTS` times, kept until an operator re-drives them. */
export const deadLettersTable = pgTable(
  'dead_letters',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    consumer: text('consumer').notNull(),
    eventSequence: bigint('event_sequence', { mode: 'number' })
      .notNull()
      .references(() => outboxEventsTable.sequence),
    aggregate: text('aggregate').notNull(),
    attempts: smallint('attempts').notNull(),
    lastError: text('last_error').notNull(),
    diedAt: at('died_at').notNull().defaultNow(),
  },
  (table) => [unique('dead_letters_consumer_event_key').on(table.consumer, table.eventSequence)],
);

/**
 * The follower notifications already sent, by event: a redelivered event mails only the
 * followers it has not reached yet (the notification consumer's idempotency by event id).
 */
export const notificationSendsTable = pgTable(
  'notification_sends',
  {
    eventSequence: bigint('event_sequence', { mode: 'number' })
      .notNull()
      .references(() => outboxEventsTable.sequence, { onDelete: 'cascade' }),
    recipientId: integer('recipient_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    sentAt: at('sent_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.eventSequence, table.recipientId] })],
);
