import { createTransport } from 'nodemailer';
import type { Mail, Mailer } from '../../domain/notifications/ports.js';
import { recipientRefusal } from './recipient-refusal.js';

/** The Message-ID of a notification: the same for each repeat of it. */
export function messageId(mail: Mail): string {
  return `<${mail.id}@keel>`;
}

/**
 * Mail over SMTP (nodemailer), for production: `SMTP_URL` as nodemailer reads it
 * (`smtps://user:pass@host:465`, `smtp://host:587` upgrades with STARTTLS when offered).
 * A recipient the server refuses for good (`recipientRefusal`) counts as sent, with a warning
 * (the Message-ID and the status, never the address) and `refused(status)`: failing would hold
 * up every recipient after it, for a mail retries would not deliver (or, to a full mailbox,
 * only late).
 *
 * Each send gets `timeoutMs` in all, connecting and every reply (nodemailer's own timeouts are
 * per step, the wait for the reply to the message up to 10 minutes): a send begun just before
 * its delivery ran out of time must still end, and be recorded, before the delivery's lease
 * lapses (spec.md §4.1). A send cut short may have reached the server all the same: the next
 * try sends it again, with the same Message-ID.
 */
export function createSmtpMailer(
  url: string,
  from: string,
  timeoutMs: number,
  log: { warn(details: object, message: string): void },
  refused: (status: string) => void,
): Mailer & { close(): void } {
  const transport = createTransport(url);
  return {
    async send(mail) {
      try {
        await transport.sendMail({
          from,
          // As an address, not as text: nodemailer parses text as an address list, in which a
          // stored `a@b.c(x)` names `a@b.c` and `a@b.c:` no one (an empty group, which fails the
          // whole try). The address goes out as stored, and the server judges it.
          to: { name: '', address: mail.to },
          subject: mail.subject,
          text: mail.text,
          messageId: messageId(mail),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const status = recipientRefusal(error);
        if (status === undefined) throw error;
        log.warn(
          { messageId: messageId(mail), status },
          'mail not sent: the server refused the recipient for good',
        );
        refused(status);
      }
    },
    close() {
      transport.close();
    },
  };
}

/**
 * Development without SMTP: each mail becomes one log line (subject and Message-ID, never the
 * address or the body), so a developer sees notifications happen without a mail server.
 */
export function createLogMailer(log: { info(details: object, message: string): void }): Mailer {
  return {
    send(mail) {
      log.info({ subject: mail.subject, messageId: messageId(mail) }, 'mail not sent: no SMTP_URL');
      return Promise.resolve();
    },
  };
}
