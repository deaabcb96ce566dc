import { isIPv6 } from 'node:net';

/** The hextets of an IPv6 address a per-client limit keeps: the /64, one subscriber's link. */
const NETWORK_HEXTETS = 4;

const IPV4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0xffff] as const;

/** The eight 16-bit groups of `address`, an address `isIPv6` accepted (zone included). */
function hextetsOf(address: string): number[] {
  const [withoutZone = ''] = address.split('%');
  const [head = '', tail] = withoutZone.split('::');
  const groupsOf = (text: string): number[] =>
    text === ''
      ? []
      : text.split(':').flatMap((group) => {
          if (!group.includes('.')) return [Number.parseInt(group, 16)];
          // An embedded IPv4 address (`::ffff:192.0.2.1`) is the last two groups.
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [a * 256 + b, c * 256 + d];
        });
  const front = groupsOf(head);
  if (tail === undefined) return front;
  const back = groupsOf(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * Who a per-address limit counts (`login-ip`, `registration-ip`): an IPv4 address as it is; an
 * IPv6 address as its /64, since one subscriber's link is given a whole /64 and can send each
 * request from another of its addresses; an IPv4 client that a dual-stack socket shows as
 * `::ffff:a.b.c.d` as its IPv4 address, so it is neither a second client nor one /64 with every
 * other IPv4 client. Anything else (what a proxy wrote in `X-Forwarded-For`) as it is.
 */
export function clientNetwork(address: string): string {
  if (!isIPv6(address)) return address;
  const hextets = hextetsOf(address);
  if (IPV4_MAPPED_PREFIX.every((value, index) => hextets[index] === value)) {
    const [high = 0, low = 0] = hextets.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${hextets
    .slice(0, NETWORK_HEXTETS)
    .map((hextet) => hextet.toString(16))
    .join(':')}::/64`;
}
