import type { AddressInfo } from 'node:net';
import {
  SMTPServer,
  type SMTPServerDataStream,
  type SMTPServerError,
  type SMTPServerSession,
} from 'smtp-server';

/** One message as it crossed the wire: the SMTP envelope, its header fields and its body. */
export interface ReceivedMail {
  /** `MAIL FROM`. */
  readonly from: string;
  /** `RCPT TO`, every recipient. */
  readonly to: readonly string[];
  /** The message exactly as sent, headers and body. */
  readonly raw: string;
  /** Each header field by lower-case name, unfolded; a field sent twice has two values. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: string;
  /** False when the server refused it at the end of `DATA`. */
  readonly accepted: boolean;
}

export interface TestSmtpServer {
  /** `SMTP_URL` for Keel. */
  readonly url: string;
  /** Every message received, accepted or refused, in the order they ended. */
  readonly received: ReceivedMail[];
  /** Refuse every message from now on with `code` (451: try later, 550: never), or accept again. */
  refuseWith(code: number | undefined): void;
  /**
   * Answer `RCPT TO:<address>` with `reply` from now on (`550 5.1.1 …`: no such mailbox), or
   * accept it again; a refused recipient's message is never sent, so it is not `received`.
   */
  refuseRecipient(address: string, reply: { code: number; text: string } | undefined): void;
  /**
   * Answer the end of `DATA` `ms` after reading the message from now on (a server scanning it
   * first), or at once again (0). The message is `received` as soon as it is read.
   */
  delayReplies(ms: number): void;
  close(): Promise<void>;
}

function readAll(stream: SMTPServerDataStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    stream.once('error', reject);
  });
}

/** Splits a message into its header fields (RFC 5322) and its body. */
function parse(raw: string): Pick<ReceivedMail, 'headers' | 'body'> {
  const end = raw.indexOf('\r\n\r\n');
  // Unfolding: a line break followed by blanks is no line break.
  const fields = raw
    .slice(0, end)
    .replace(/\r\n(?=[ \t])/g, '')
    .split('\r\n');
  const headers = new Map<string, string[]>();
  for (const field of fields) {
    const colon = field.indexOf(':');
    const name = field.slice(0, colon).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), field.slice(colon + 1).trim()]);
  }
  const encoding = headers.get('content-transfer-encoding')?.[0] ?? '7bit';
  // Keel's notifications are short ASCII text; anything else would need decoding first.
  if (encoding !== '7bit') throw new Error(`cannot read a ${encoding} body`);
  return { headers, body: raw.slice(end + 4) };
}

/**
 * A real SMTP server (smtp-server, by nodemailer's author) on a free port of 127.0.0.1, without
 * TLS or authentication, keeping every message it is sent.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let refusal: number | undefined;
  let replyDelayMs = 0;
  const refusedRecipients = new Map<string, { code: number; text: string }>();
  /** Keeps the message; the refusal to answer with, if any. */
  async function receive(
    stream: SMTPServerDataStream,
    { envelope }: SMTPServerSession,
  ): Promise<SMTPServerError | undefined> {
    const raw = await readAll(stream);
    received.push({
      from: envelope.mailFrom === false ? '' : envelope.mailFrom.address,
      to: envelope.rcptTo.map((recipient) => recipient.address),
      raw,
      ...parse(raw),
      accepted: refusal === undefined,
    });
    await new Promise((resolve) => setTimeout(resolve, replyDelayMs));
    if (refusal === undefined) return undefined;
    const error: SMTPServerError = new Error(`refused by the test (${String(refusal)})`);
    error.responseCode = refusal;
    return error;
  }

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const reply = refusedRecipients.get(address.address);
      if (reply === undefined) {
        callback();
        return;
      }
      const error: SMTPServerError = new Error(reply.text);
      error.responseCode = reply.code;
      callback(error);
    },
    onData(stream, session, callback) {
      // An unreadable message is refused too, so the test sees it in the delivery's last error.
      receive(stream, session).then(callback, (error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)));
      });
    },
  });
  const port = await new Promise<number>((resolve) => {
    const listening = server.listen(0, '127.0.0.1', () => {
      resolve((listening.address() as AddressInfo).port);
    });
  });
  return {
    url: `smtp://127.0.0.1:${String(port)}`,
    received,
    refuseWith(code) {
      refusal = code;
    },
    refuseRecipient(address, reply) {
      if (reply === undefined) refusedRecipients.delete(address);
      else refusedRecipients.set(address, reply);
    },
    delayReplies(ms) {
      replyDelayMs = ms;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
      }),
  };
}
