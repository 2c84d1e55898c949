import { type NetworkSpec, type PortSpec } from './network-driver';
import { InvalidNetworkSpec } from './network.errors';

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

/** Checks a spec; the parsed subnet, or {@link InvalidNetworkSpec} naming the first fault. */
export function validateNetworkSpec(spec: NetworkSpec): Ipv4Subnet {
  const subnet = parseIpv4Cidr(spec.cidr);
  if (!subnet) throw new InvalidNetworkSpec(`Network ${spec.id}: ${spec.cidr} is not an IPv4 CIDR.`);
  if (subnet.prefix > 29 || subnet.prefix < 8) throw new InvalidNetworkSpec(`Network ${spec.id}: prefix /${subnet.prefix} is outside /8../29.`);
  if (!isHostAddress(subnet, spec.gateway)) throw new InvalidNetworkSpec(`Network ${spec.id}: gateway ${spec.gateway} is not a host address of ${spec.cidr}.`);
  if (!Number.isInteger(spec.segmentationId) || spec.segmentationId < 1 || spec.segmentationId > 0xffffff) {
    throw new InvalidNetworkSpec(`Network ${spec.id}: segmentation id ${spec.segmentationId} is outside 1..16777215.`);
  }
  const badPeer = spec.peers.find((p) => ipv4ToInt(p) === null);
  if (badPeer !== undefined) throw new InvalidNetworkSpec(`Network ${spec.id}: peer ${badPeer} is not an IPv4 address.`);
  if (!/^[A-Za-z0-9-]{1,64}$/.test(spec.id)) throw new InvalidNetworkSpec(`Network id ${spec.id} is not a uuid-like id.`);
  return subnet;
}

/** Checks that a port's fixed address may be used on the network. */
export function validatePort(spec: Pick<NetworkSpec, 'id' | 'cidr' | 'gateway'>, port: PortSpec): void {
  const subnet = parseIpv4Cidr(spec.cidr);
  if (!subnet || !isHostAddress(subnet, port.fixedIp)) {
    throw new InvalidNetworkSpec(`Port ${port.id}: ${port.fixedIp} is not a host address of ${spec.cidr}.`);
  }
  if (port.fixedIp === spec.gateway) throw new InvalidNetworkSpec(`Port ${port.id}: ${port.fixedIp} is the gateway of network ${spec.id}.`);
  if (port.macAddress !== undefined && !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(port.macAddress)) {
    throw new InvalidNetworkSpec(`Port ${port.id}: ${port.macAddress} is not a lower-case MAC address.`);
  }
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
