import { createTransport } from 'nodemailer';
import type { SMTPError } from 'nodemailer/lib/smtp-connection';
import type { Mail, Mailer } from '../../domain/notifications/ports.js';

/** The Message-ID of a notification: the same for each repeat of it. */
export function messageId(mail: Mail): string {
  return `<${mail.id}@keel>`;
}

/** Reply codes to `RCPT TO` that refuse the mailbox itself (RFC 5321 §4.2.3). */
const MAILBOX_REFUSED = new Set([550, 551, 553]);

/**
 * Whether the server refused the recipient for good: a permanent reply to `RCPT TO` about the
 * address or the mailbox (enhanced status 5.1.x or 5.2.x, RFC 3463), or, from a server that
 * sends no enhanced status, one of the replies that name the mailbox. A policy refusal (5.7.x,
 * such as relaying denied) says the sender is misconfigured, not that the address is bad: like
 * any other failure it is retried, and the relay's circuit breaker and dead letters show it.
 */
function refusesRecipient(error: unknown): boolean {
  const { code, command, responseCode, response } = (error ?? {}) as SMTPError;
  if (code !== 'EENVELOPE' || command !== 'RCPT TO') return false;
  if (responseCode === undefined || responseCode < 500 || responseCode > 599) return false;
  const enhanced = /^\d{3}[ -]([245])\.(\d{1,3})\.\d{1,3}\b/.exec(response ?? '');
  if (enhanced === null) return MAILBOX_REFUSED.has(responseCode);
  return enhanced[1] === '5' && (enhanced[2] === '1' || enhanced[2] === '2');
}

/**
 * Mail over SMTP (nodemailer), for production: `SMTP_URL` as nodemailer reads it
 * (`smtps://user:pass@host:465`, `smtp://host:587` upgrades with STARTTLS when offered).
 * A recipient the server refuses for good is logged (the Message-ID, never the address) and
 * counts as sent: no retry can reach it, and failing would hold up every recipient after it.
 */
export function createSmtpMailer(
  url: string,
  from: string,
  log: { warn(details: object, message: string): void },
): Mailer & { close(): void } {
  const transport = createTransport(url);
  return {
    async send(mail) {
      try {
        await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: messageId(mail),
        });
      } catch (error) {
        if (!refusesRecipient(error)) throw error;
        log.warn(
          { messageId: messageId(mail), response: (error as SMTPError).response },
          'mail not sent: the server refused the recipient for good',
        );
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
