import type { SMTPError } from 'nodemailer/lib/smtp-connection';

/**
 * Enhanced statuses (RFC 3463, RFC 7505) that say this one recipient can't be mailed: its
 * address or domain doesn't exist (5.1.1, 5.1.2), is malformed (5.1.3), has moved (5.1.6) or
 * takes no mail (5.1.10 null MX), or its mailbox is disabled or full (5.2.1, 5.2.2). A full
 * mailbox may empty, but a notification held back until then would hold every follower after it.
 * The other 5.1.x are about the sender (5.1.7, 5.1.8) or nothing in particular (5.1.0), and
 * 5.7.x is policy (relaying denied): those say Keel's sending is misconfigured, so they are
 * failures like any other, retried, and seen in the relay's circuit breaker and dead letters.
 */
const REFUSED_FOR_GOOD = new Set(['5.1.1', '5.1.2', '5.1.3', '5.1.6', '5.1.10', '5.2.1', '5.2.2']);

/**
 * From a server that sends no enhanced status, only two replies to `RCPT TO` name the recipient
 * alone: 501, a syntax error in its one argument (Keel sends no parameters with it), which is the
 * address (5.1.3 above), and 551, user not local. 550 and 553 are also how servers refuse
 * relaying or a sender (RFC 5321 §4.2.2).
 */
const BARE_REFUSED_FOR_GOOD = new Set([501, 551]);

/**
 * The status with which the SMTP server refused the recipient of a one-recipient message for
 * good at `RCPT TO` (`5.1.1`, or `501` or `551` without an enhanced status), as nodemailer
 * reports it (`EENVELOPE`, the command, the reply); `undefined` for any other failure. Never the
 * reply's text, which servers fill with the address.
 */
export function recipientRefusal(error: unknown): string | undefined {
  const { code, command, responseCode, response } = (error ?? {}) as SMTPError;
  if (code !== 'EENVELOPE' || command !== 'RCPT TO' || responseCode === undefined) return undefined;
  const status = /^5\d\d[ -](5\.\d{1,3}\.\d{1,3})\b/.exec(response ?? '')?.[1];
  if (status !== undefined) return REFUSED_FOR_GOOD.has(status) ? status : undefined;
  return BARE_REFUSED_FOR_GOOD.has(responseCode) ? String(responseCode) : undefined;
}
