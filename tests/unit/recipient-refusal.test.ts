import { describe, expect, it } from 'vitest';
import { recipientRefusal } from '../../src/infrastructure/mail/recipient-refusal.js';

/** nodemailer's error for a one-recipient message whose `RCPT TO` got `reply`. */
function refusedAtRcpt(reply: string) {
  return {
    code: 'EENVELOPE',
    command: 'RCPT TO',
    response: reply,
    responseCode: Number(reply.slice(0, 3)),
  };
}

describe('a recipient refused for good', () => {
  it.each([
    ['550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown', '5.1.1'],
    ['550-5.1.1 The email account that you tried to reach does not exist.', '5.1.1'],
    ['550 5.1.2 <bob@nowhere.example>: Recipient address rejected: Domain not found', '5.1.2'],
    ['553 5.1.3 <bob@@example.com>: malformed address', '5.1.3'],
    ['550 5.1.6 <bob@example.com>: mailbox moved, no forwarding address', '5.1.6'],
    ['556 5.1.10 <bob@example.com>: Recipient address has null MX', '5.1.10'],
    ['550 5.2.1 <bob@example.com>: mailbox disabled', '5.2.1'],
    ['552 5.2.2 <bob@example.com>: mailbox full', '5.2.2'],
    // No enhanced status: only a bad address and "user not local" name the recipient alone.
    ['501 Error: Bad recipient address syntax', '501'],
    ['551 User not local; please try <bob@elsewhere.example>', '551'],
  ])('%s is %s', (reply, status) => {
    expect(recipientRefusal(refusedAtRcpt(reply))).toBe(status);
  });
});

describe('a failure retried instead', () => {
  it.each([
    // The sender, not the recipient (Postfix rejects a bad sender at RCPT TO by default).
    ['550 5.1.8 <noreply@keel.example>: Sender address rejected: Domain not found'],
    ['553 5.1.7 <noreply@keel>: Sender address rejected: malformed'],
    ['550 5.1.0 Address rejected'],
    // Policy: Keel's sending is misconfigured.
    ['554 5.7.1 <bob@example.com>: Relay access denied'],
    ["553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"],
    ['550 relaying denied'],
    ['550 No such user'],
    // Temporary.
    ['450 4.2.0 <bob@example.com>: Recipient address rejected: Greylisted'],
    ['452 4.2.2 mailbox full'],
  ])('%s', (reply) => {
    expect(recipientRefusal(refusedAtRcpt(reply))).toBeUndefined();
  });

  it('a refusal of the message itself, the connection, or anything not an SMTP reply', () => {
    expect(
      recipientRefusal({
        code: 'EMESSAGE',
        command: 'DATA',
        response: '550 5.1.1 x',
        responseCode: 550,
      }),
    ).toBeUndefined();
    expect(recipientRefusal({ code: 'ECONNECTION', command: 'CONN' })).toBeUndefined();
    expect(recipientRefusal(new Error('socket hang up'))).toBeUndefined();
    expect(recipientRefusal(undefined)).toBeUndefined();
  });
});
