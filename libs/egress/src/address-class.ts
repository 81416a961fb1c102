import { isIPv4, isIPv6 } from 'node:net';

/** What kind of destination an IP is; everything but `public` is refused unless allowlisted. */
export const ADDRESS_CLASSES = [
  'public',
  'unspecified',
  'loopback',
  'private',
  'cgnat',
  'link-local',
  'metadata',
  'multicast',
  'unique-local',
  'reserved',
] as const;
export type AddressClass = (typeof ADDRESS_CLASSES)[number];

type Range<T> = readonly [network: T, prefix: number, kind: AddressClass];

// Most specific first: the first match wins.
const IPV4_RANGES: readonly Range<string>[] = [
  ['169.254.169.254', 32, 'metadata'], // AWS, GCP, Azure, OCI, DigitalOcean…
  ['100.100.100.200', 32, 'metadata'], // Alibaba Cloud
  ['168.63.129.16', 32, 'metadata'], // Azure WireServer (hands out VM extension config)
  ['0.0.0.0', 8, 'unspecified'], // "this network": 0.0.0.0 reaches the local host on Linux
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['169.254.0.0', 16, 'link-local'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'reserved'], // documentation
  ['198.51.100.0', 24, 'reserved'], // documentation
  ['203.0.113.0', 24, 'reserved'], // documentation
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['192.88.99.0', 24, 'reserved'], // deprecated 6to4 relay anycast
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes 255.255.255.255 broadcast
];

const IPV6_RANGES: readonly Range<string>[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fd00:ec2::254', 128, 'metadata'], // AWS IMDS over IPv6
  ['64:ff9b:1::', 48, 'reserved'], // local-use NAT64
  ['100::', 64, 'reserved'], // discard-only
  ['2001::', 23, 'reserved'], // IETF protocol assignments, incl. Teredo
  ['2001:db8::', 32, 'reserved'], // documentation
  ['3fff::', 20, 'reserved'], // documentation
  ['5f00::', 16, 'reserved'], // SRv6 SIDs
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'reserved'], // deprecated site-local
  ['fc00::', 7, 'unique-local'],
  ['ff00::', 8, 'multicast'],
];

const parsedV4 = IPV4_RANGES.map(([net, prefix, kind]) => [ipv4ToInt(net), prefix, kind] as const);
const parsedV6 = IPV6_RANGES.map(
  ([net, prefix, kind]) => [ipv6ToBigInt(net), prefix, kind] as const,
);

/**
 * Classifies an IPv4 or IPv6 address (a `%zone` suffix is ignored). IPv6 forms that embed an IPv4
 * destination (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) get the class of
 * the embedded address, since that is where the packets end up. Throws TypeError for non-IPs.
 */
export function classifyAddress(ip: string): AddressClass {
  const address = stripZone(ip);
  if (isIPv4(address)) return classifyV4(ipv4ToInt(address));
  if (!isIPv6(address)) throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);

  const value = ipv6ToBigInt(address);
  const embedded = embeddedIPv4(value);
  if (embedded !== undefined) return classifyV4(embedded);
  for (const [network, prefix, kind] of parsedV6) {
    if (inV6(value, network, prefix)) return kind;
  }
  // Only 2000::/3 is global unicast; the rest of the space is unassigned or special.
  return inV6(value, 0x2n << 124n, 3) ? 'public' : 'reserved';
}

/** The address without an IPv6 zone id (`fe80::1%eth0`). */
export function stripZone(ip: string): string {
  const percent = ip.indexOf('%');
  return percent === -1 ? ip : ip.slice(0, percent);
}

function classifyV4(value: number): AddressClass {
  for (const [network, prefix, kind] of parsedV4) {
    if (inV4(value, network, prefix)) return kind;
  }
  return 'public';
}

function embeddedIPv4(value: bigint): number | undefined {
  const low32 = Number(value & 0xffffffffn);
  if (value >> 32n === 0xffffn) return low32; // ::ffff:0:0/96, IPv4-mapped
  if (value >> 32n === 0x64ff9bn << 64n) return low32; // 64:ff9b::/96, well-known NAT64
  if (value >> 112n === 0x2002n) return Number((value >> 80n) & 0xffffffffn); // 2002:AABB:CCDD::/48
  return undefined;
}

function inV4(value: number, network: number, prefix: number): boolean {
  if (prefix === 0) return true;
  const shift = 32 - prefix;
  return value >>> shift === network >>> shift;
}

function inV6(value: bigint, network: bigint, prefix: number): boolean {
  const shift = BigInt(128 - prefix);
  return value >> shift === network >> shift;
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** Expects an address already validated by isIPv6 (so no zone, well-formed groups). */
function ipv6ToBigInt(address: string): bigint {
  let text = address;
  // A trailing dotted quad stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}
