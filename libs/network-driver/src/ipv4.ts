import { type Ipv4Subnet, ipv4ToInt, isHostAddress, parseIpv4Cidr } from '@zun-ts/common';
import { type NetworkSpec, type PortSpec } from './network-driver';
import { InvalidNetworkSpec } from './network.errors';

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

// Their home is libs/common; re-exported for the drivers' callers.
export { cidrsOverlap, intToIpv4, ipv4ToInt, isHostAddress, isIpv4, parseIpv4Cidr, type Ipv4Subnet } from '@zun-ts/common';
