/**
 * Where an admin-configured mail host may not lead: link-local addresses and the cloud instance-metadata
 * endpoints, whose answers (credentials of the machine we run on) must never be fetched on a tenant's behalf.
 * Loopback and private ranges stay allowed: self-hosted mail servers live there, and so do our test servers.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const REFUSED_ADDRESSES = new BlockList();
// IPv4 link-local, 169.254.169.254 included (AWS, GCP, Azure, OpenStack, DigitalOcean metadata).
REFUSED_ADDRESSES.addSubnet('169.254.0.0', 16, 'ipv4');
// Alibaba Cloud metadata.
REFUSED_ADDRESSES.addAddress('100.100.100.200', 'ipv4');
// IPv6 link-local.
REFUSED_ADDRESSES.addSubnet('fe80::', 10, 'ipv6');
// AWS instance metadata over IPv6.
REFUSED_ADDRESSES.addAddress('fd00:ec2::254', 'ipv6');
// IPv4 link-local reached through the well-known NAT64 prefix.
REFUSED_ADDRESSES.addSubnet('64:ff9b::a9fe:0', 112, 'ipv6');

/** Names of metadata services that resolve only inside a cloud (so a lookup elsewhere would not catch them). */
const REFUSED_HOST_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** Thrown when a host is, or resolves to, an address Test Connection does not contact. */
export class AddressNotAllowedError extends Error {
  readonly code = 'ADDRESS_NOT_ALLOWED';
  constructor(readonly host: string) {
    super(`${host} is a link-local or cloud-metadata address`);
    this.name = 'AddressNotAllowedError';
  }
}

/** Whether an IP address (v4, v6, or v4-mapped v6) is link-local or a metadata endpoint. */
export function isRefusedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return REFUSED_ADDRESSES.check(mapped[1], 'ipv4');
  return REFUSED_ADDRESSES.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether a host as typed (name or literal) is refused before any lookup. */
export function isRefusedHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
  return REFUSED_HOST_NAMES.has(name) || isRefusedAddress(name);
}

/**
 * The address to connect to: the host resolved once, refused when any of its addresses is refused (the client
 * could pick any of them). Connecting to the address returned, not the name again, leaves no second lookup that a
 * short-lived DNS answer could point elsewhere. Lookup failures are thrown as they are (ENOTFOUND and so on).
 */
export async function resolveAllowedAddress(host: string): Promise<string> {
  if (isRefusedHost(host)) throw new AddressNotAllowedError(host);
  if (isIP(host)) return host;
  // IPv4 first, as a dual-stack client would mostly connect: a server listening on 127.0.0.1 only stays reachable as localhost.
  const addresses = await lookup(host, { all: true, order: 'ipv4first' });
  if (addresses.length === 0 || addresses.some(({ address }) => isRefusedAddress(address))) throw new AddressNotAllowedError(host);
  return addresses[0].address;
}
