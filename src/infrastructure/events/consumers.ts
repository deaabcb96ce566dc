import type { Registry } from 'prom-client';
import type { Config } from '../../core/config.js';
import { createFollowerNotifications } from '../../domain/notifications/follower-notifications.js';
import { createModerationNotices } from '../../domain/notifications/moderation-notices.js';
import type { Mailer } from '../../domain/notifications/ports.js';
import type { EventConsumer } from '../../domain/shared/events.js';
import type { Database } from '../db/database.js';
import { createNotificationStore } from '../db/notifications/notification-store.js';
import { registerMailMetrics } from '../mail/mail-metrics.js';
import { createLogMailer, createSmtpMailer } from '../mail/mailers.js';
import { createNatsConsumer } from './nats-consumer.js';

export interface EventConsumers {
  readonly consumers: readonly EventConsumer[];
  /** Closes the connections the consumers opened (none until a delivery needs one). */
  readonly close: () => Promise<void>;
}

/**
 * The consumers configured (spec.md §4.1): the mail ones when there is a mailer
 * (`extras.mailer`, else SMTP with `SMTP_URL`, else the log outside production), NATS JetStream
 * with `NATS_URL`. The server and the command-line tools that record events build the same list,
 * so an event gets a delivery for every consumer whichever process recorded it.
 */
export function createEventConsumers(
  config: Config,
  database: Database,
  log: {
    info(details: object, message: string): void;
    warn(details: object, message: string): void;
  },
  extras: {
    /** Replaces the configured mailer (tests capture mail with it). */
    readonly mailer?: Mailer | undefined;
    /** Where the SMTP mailer counts refused recipients; a command-line tool has none. */
    readonly registry?: Registry;
  } = {},
): EventConsumers {
  const { events: settings } = config;
  const { mailer, registry } = extras;
  const smtp =
    settings.smtpUrl === undefined
      ? undefined
      : createSmtpMailer(
          settings.smtpUrl,
          settings.mailFrom,
          // A quarter of the lease: a send begun as its delivery runs out of time (half the
          // lease) ends, and is recorded, with a quarter to spare.
          settings.leaseMs / 4,
          log,
          registry === undefined ? () => undefined : registerMailMetrics(registry),
        );
  const sender = mailer ?? smtp ?? (config.env === 'production' ? undefined : createLogMailer(log));
  if (sender === undefined) log.warn({}, 'no SMTP_URL: notifications by mail are off');
  else if (smtp !== undefined && settings.appUrl === undefined) {
    log.warn({}, "no APP_URL: links in mail are paths, without the web app's address");
  }
  const nats = settings.natsUrl === undefined ? undefined : createNatsConsumer(settings.natsUrl);
  const store = createNotificationStore(database);
  return {
    consumers: [
      ...(sender === undefined
        ? []
        : [
            createFollowerNotifications(store, sender, settings.appUrl),
            createModerationNotices(store, sender),
          ]),
      ...(nats === undefined ? [] : [nats]),
    ],
    async close() {
      await nats?.close();
      smtp?.close();
    },
  };
}
