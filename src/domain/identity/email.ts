import { isIPv4 } from 'node:net';
import { domainToUnicode } from 'node:url';
import type { Brand } from '../shared/brand.js';
import { ValidationError } from '../shared/errors.js';
import { lengthOf, requiredText, tooLong } from '../shared/text.js';

/**
 * A trimmed, lower-cased address in its one spelling (`mailboxSpelling`): one mailbox has one
 * spelling, so uniqueness is exact.
 */
export type Email = Brand<string, 'Email'>;

export const EMAIL_MAX_LENGTH = 254; // RFC 5321 path limit

// Loose on purpose: one "@", a domain of dot-separated labels. Only a confirmation mail could
// prove more, and rejecting valid exotic addresses is worse than accepting odd ones. But no
// character that a mail library reads as address syntax rather than as part of the mailbox (a
// comment's parentheses, angle brackets, a group's colon and semicolon, a list's comma, quotes, a
// domain literal's brackets, a backslash), none that is invisible (control and format characters,
// such as a zero-width space), and no empty label (`a@b.c.` is `a@b.c` to DNS): each would let
// one mailbox be registered under a second spelling, or make the stored address name a mailbox
// other than its text (`a@b.c(x)` is mailed to `a@b.c`, `a@b.c:` to no one).
const NOT_IN_ADDRESS = String.raw`\s@()<>\[\]:;,"\\\p{Cc}\p{Cf}`;
const NEW_EMAIL = new RegExp(
  `^[^${NOT_IN_ADDRESS}]+@[^${NOT_IN_ADDRESS}.]+(?:\\.[^${NOT_IN_ADDRESS}.]+)+$`,
  'u',
);
// What every address Keel has stored satisfies, those of the looser rule before this one
// included: one "@", no spaces, a dot in the domain.
const ANY_STORED_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// Where a domain would not be read as one host (a URL would end, escape or percent-decode it
// there): IDNA is not asked, the domain stays as sent.
const NOT_A_HOST_NAME = /[#/?^|%\\\s]/u;

/**
 * The one spelling of the (lower-cased, trimmed) address `email`: its local part composed (NFC)
 * and its domain as IDNA (UTS #46) reads it — `xn--` labels decoded, composed, full-width
 * folded — so `a@xn--bcher-kva.de`, `a@bücher.de` and `a@bu\u0308cher.de`, one mailbox to any
 * mail system, are one address. A domain IDNA refuses keeps its composed spelling. Never throws.
 */
export function mailboxSpelling(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return email.normalize('NFC');
  const domain = email.slice(at + 1);
  // Lower-cased again: IDNA folds Cherokee to capitals, and a stored address is lower-case.
  const idna = NOT_A_HOST_NAME.test(domain) ? '' : domainToUnicode(domain).toLowerCase();
  // A domain read as an IPv4 address comes back as that address (`1.` as `0.0.0.1`, `0x7f.1` and
  // `１２７.１` as `127.0.0.1`): the domain keeps its own spelling, as one IDNA refuses does.
  const kept = idna === '' || isIPv4(idna);
  return `${email.slice(0, at).normalize('NFC')}@${kept ? domain.normalize('NFC') : idna}`;
}

function parse(value: string, pattern: RegExp): Email {
  // Lower-case before measuring: some characters grow when lower-cased (İ → i̇), and again once
  // spelled as IDNA reads it (㍿ is four characters).
  const email = mailboxSpelling(requiredText('email', value.toLowerCase(), EMAIL_MAX_LENGTH));
  if (lengthOf(email) > EMAIL_MAX_LENGTH) {
    throw ValidationError.field('email', tooLong(EMAIL_MAX_LENGTH));
  }
  if (!pattern.test(email)) throw ValidationError.field('email', 'is invalid');
  return email as Email;
}

/** An address to register or change to, in its one spelling. */
export function parseEmail(value: string): Email {
  return parse(value, NEW_EMAIL);
}

/**
 * The spellings to look an address to log in with up by, in order: as sent (lower-cased,
 * trimmed), then in its one spelling when that differs. An account stored before addresses had
 * one spelling is stored as it was sent, and found so first, even where another account holds
 * the mailbox's one spelling. Any address Keel may have stored is accepted, so an account
 * registered before the rule for new addresses tightened still logs in (and can change to an
 * address that rule accepts); so is any whose one spelling is (`jane@example．com`, with a
 * full-width dot, registered as `jane@example.com`), so an address logs in as it registered.
 */
export function parseLoginEmail(value: string): readonly [Email] | readonly [Email, Email] {
  const sent = requiredText('email', value.toLowerCase(), EMAIL_MAX_LENGTH);
  const spelled = mailboxSpelling(sent);
  const [first, second] = (spelled === sent ? [sent] : [sent, spelled]).filter(
    (each) => lengthOf(each) <= EMAIL_MAX_LENGTH && ANY_STORED_EMAIL.test(each),
  ) as Email[];
  if (first === undefined) throw ValidationError.field('email', 'is invalid');
  return second === undefined ? [first] : [first, second];
}
