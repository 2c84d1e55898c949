import { randomUUID } from 'node:crypto';
import { InvalidValue, isHostAddress, isIpv4, NetworkNotFound, parseIpv4Cidr } from '@zun-ts/common';
import { type PlannedPort, type PortPlan } from '@zun-ts/db';
import { type Network } from '@zun-ts/objects';
import { badFixedIp, ipv6NotSupported, networkNotFound, portsNotSupported } from '../networks/network.errors';

/** What the `nets` checks need from outside. */
export interface NetsDeps {
  /** A network the container's project may use (its own or a shared one) by uuid or name; throws NetworkNotFound. */
  findNetwork(ident: string): Promise<Network>;
  /** The project's default network, made when it has none (only called when no `nets` are given). */
  defaultNetwork(): Promise<Network>;
}

/** One schema-valid entry of `nets`: exactly one of `network` / `port`, optional fixed addresses. */
interface NetRequest {
  network?: string;
  port?: string;
  'v4-fixed-ip'?: string;
  'v6-fixed-ip'?: string;
}

/**
 * A fixed address the caller asks for on `network`: IPv4, a host address of the subnet (not its network or
 * broadcast address) and not the gateway. Whether another port holds it is decided when it is allocated.
 */
export function checkFixedIp(ip: string, network: Pick<Network, 'name' | 'cidr' | 'gateway'>): void {
  if (!isIpv4(ip)) throw ipv6NotSupported(ip);
  const subnet = parseIpv4Cidr(network.cidr);
  if (!subnet || !isHostAddress(subnet, ip) || ip === network.gateway) throw badFixedIp(ip, network);
}

/** The network as the caller names it; whatever the lookup says, a miss is Zun's 404 for that name. */
export async function findUsableNetwork(deps: Pick<NetsDeps, 'findNetwork'>, ident: string): Promise<Network> {
  try {
    return await deps.findNetwork(ident);
  } catch (e) {
    if (e instanceof NetworkNotFound) throw networkNotFound(ident);
    throw e;
  }
}

/**
 * Zun's `nets` on create, for schema-valid entries: each `{network}` becomes a {@link PlannedPort} with a fresh
 * port uuid, in request order (the first is the container's primary NIC). Neutron ports and IPv6 addresses
 * are refused (400), a fixed IPv4 address must be a host address of the network that is not its gateway, and
 * a network may be asked for once. No entries: one port on the project's default network. Nothing is written
 * here except the default network, which belongs to the project and is made once.
 */
export async function planNets(nets: readonly unknown[], deps: NetsDeps): Promise<PortPlan> {
  if (!nets.length) {
    const network = await deps.defaultNetwork();
    return { ports: [{ port_uuid: randomUUID(), network_uuid: network.uuid, requested_ip: null }] };
  }
  const ports: PlannedPort[] = [];
  for (const n of nets as NetRequest[]) {
    if (n.port !== undefined) throw portsNotSupported(n.port);
    const v6 = n['v6-fixed-ip'];
    if (v6 !== undefined) throw ipv6NotSupported(v6);
    const ident = n.network as string;
    const network = await findUsableNetwork(deps, ident);
    if (ports.some((p) => p.network_uuid === network.uuid)) {
      throw new InvalidValue(`Network ${ident} is requested twice: a container has one port per network.`);
    }
    const ip = n['v4-fixed-ip'] ?? null;
    if (ip !== null) checkFixedIp(ip, network);
    ports.push({ port_uuid: randomUUID(), network_uuid: network.uuid, requested_ip: ip });
  }
  return { ports };
}
