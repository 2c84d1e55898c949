// IPv4 arithmetic shared by the API (request checks), the database (address allocation) and the network drivers.

/** An IPv4 subnet: network address and prefix length. */
export interface Ipv4Subnet {
  network: number;
  prefix: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** `10.0.0.1` → 167772161; null when not a dotted IPv4 address. */
export function ipv4ToInt(ip: string): number | null {
  if (!IPV4.test(ip)) return null;
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** `10.1.2.0/24` → subnet; null when malformed or when host bits are set. */
export function parseIpv4Cidr(cidr: string): Ipv4Subnet | null {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(cidr);
  if (!m) return null;
  const network = ipv4ToInt(m[1] ?? '');
  const prefix = Number(m[2]);
  if (network === null || prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  return network % size === 0 ? { network, prefix } : null;
}

/** Whether `ip` is a usable host address of the subnet (not its network or broadcast address). */
export function isHostAddress(subnet: Ipv4Subnet, ip: string): boolean {
  const n = ipv4ToInt(ip);
  if (n === null) return false;
  const size = 2 ** (32 - subnet.prefix);
  if (subnet.prefix >= 31) return n >= subnet.network && n < subnet.network + size;
  return n > subnet.network && n < subnet.network + size - 1;
}

/** Whether two IPv4 CIDRs share an address (false when either is malformed). */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseIpv4Cidr(a);
  const y = parseIpv4Cidr(b);
  if (!x || !y) return false;
  const size = 2 ** (32 - Math.min(x.prefix, y.prefix));
  return Math.floor(x.network / size) === Math.floor(y.network / size);
}

/** Whether `ip` is a dotted IPv4 address. */
export const isIpv4 = (ip: string): boolean => ipv4ToInt(ip) !== null;
