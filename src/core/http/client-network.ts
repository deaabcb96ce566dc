import ipaddr from 'ipaddr.js';

/** The leading bits of an IPv6 address a per-client limit keeps: the /64, one subscriber's link. */
const NETWORK_BITS = 64;

/**
 * Who a per-address limit counts (`login-ip`, `registration-ip`): an IPv4 address as it is; an
 * IPv6 address as its /64, since one subscriber's link is given a whole /64 and can send each
 * request from another of its addresses; an IPv4 client that a dual-stack socket shows as
 * `::ffff:a.b.c.d` as its IPv4 address, so it is neither a second client nor one /64 with every
 * other IPv4 client. Anything else (what a proxy wrote in `X-Forwarded-For`) as it is. Parsed by
 * ipaddr.js, the parser Fastify's proxy handling reads `X-Forwarded-For` with.
 */
export function clientNetwork(address: string): string {
  if (!ipaddr.IPv6.isValid(address)) return address;
  const parsed = ipaddr.IPv6.parse(address);
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  const network = ipaddr.IPv6.networkAddressFromCIDR(
    `${parsed.toNormalizedString()}/${String(NETWORK_BITS)}`,
  );
  return `${network.toRFC5952String()}/${String(NETWORK_BITS)}`;
}
