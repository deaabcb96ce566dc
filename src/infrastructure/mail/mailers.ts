import { createTransport } from 'nodemailer';
import type { Mail, Mailer } from '../../domain/notifications/ports.js';

/** The Message-ID of a notification: the same for each repeat of it. */
export function messageId(mail: Mail): string {
  return `<${mail.id}@keel>`;
}

/**
 * Mail over SMTP (nodemailer), for production: `SMTP_URL` as nodemailer reads it
 * (`smtps://user:pass@host:465`, `smtp://host:587` upgrades with STARTTLS when offered).
 */
export function createSmtpMailer(url: string, from: string): Mailer & { close(): void } {
  const transport = createTransport(url);
  return {
    async send(mail) {
      await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: messageId(mail),
      });
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
