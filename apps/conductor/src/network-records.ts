import { type Logger, type RequestContext } from '@zun-ts/common';
import { type ContainerRepository, type NetworkRepository, type PortWithNetwork } from '@zun-ts/db';
import { type NetworkPort, type PortStatus } from '@zun-ts/objects';
import { type ContainerPortInfo, type HostNetworkInfo, type PortSaveRequest, type RpcCaller } from '@zun-ts/rpc';
import { HostOwnership } from './host-ownership';
import { NetworkPeers, type NetworkPeersRepository } from './network-peers';
import { type ComputeCaster } from './tokens';
import { ANY_CONTAINER, findContainer } from './find-container';

/**
 * The ports a host is told of (containerNetworks): those holding an address. `pending` has none; `detaching` ones are
 * included, since the host unplugs them (networkDetach looks the port up here) and never plugs them again.
 */
const WITH_ADDRESS: ReadonlySet<PortStatus> = new Set<PortStatus>(['allocated', 'bound', 'detaching']);

/** The repository calls network records make (tests pass fakes). */
export type NetworkRecordsRepository = Pick<NetworkRepository, 'portsOf' | 'getPort' | 'updatePort' | 'deletePort' | 'releasePorts' | 'networksOnHost'> &
  NetworkPeersRepository;

/**
 * Networks and ports as the conductor keeps them for compute hosts, which hold no database credentials. A host acts
 * only on the ports of containers placed on it, and sees only the networks it has a port on. Anything else is
 * answered as an absent record (ADR 0006): ContainerNotFound for a container, PortNotFound for a port, nothing
 * released for a release. Refusals are logged (HostOwnership).
 *
 * Every method is safe under redelivery: reads change nothing, a save writes the same fields again, a second release
 * finds the ports gone and tells no one (the first one told the other hosts).
 */
export class NetworkRecords {
  private readonly ownership: HostOwnership;
  private readonly peers: NetworkPeers;

  constructor(
    private readonly networks: NetworkRecordsRepository,
    private readonly containers: Pick<ContainerRepository, 'getByUuid'>,
    compute: ComputeCaster,
    private readonly logger: Logger,
  ) {
    this.ownership = new HostOwnership(logger);
    this.peers = new NetworkPeers(networks, compute, logger);
  }

  /**
   * containerNetworks: the ports of a container on the caller's host that hold an address, by device_index, each with
   * its network and the caller's peers on it (ContainerNotFound for another host's container, as when absent).
   */
  async containerNetworks(args: { container_uuid: string }, caller: RpcCaller): Promise<ContainerPortInfo[]> {
    this.ownership.requireContainer(caller, await this.containers.getByUuid(ANY_CONTAINER, args.container_uuid), 'containerNetworks');
    const ports = (await this.networks.portsOf(args.container_uuid)).filter((p) => WITH_ADDRESS.has(p.port.status));
    const peers = await this.peersByNetwork(ports.map((p) => p.network.uuid), caller.host);
    return ports.map(({ port, network }) => ({ port, network, peers: peers.get(network.uuid) ?? [] }));
  }

  /**
   * portSave: the MAC and status a host made of a port of one of its containers. Only those two fields are written
   * (the RPC schema already refuses others). A port of another host's container is PortNotFound and stays as it was.
   * A port that becomes `bound` may put its host on the network for the first time (a network-attach, which the API
   * allocates without the conductor): every other host on the network gets its whole peer list again.
   */
  async save(ctx: RequestContext, args: PortSaveRequest, caller: RpcCaller): Promise<NetworkPort> {
    const method = 'portSave';
    this.ownership.requireCompute(caller, method);
    const port = await this.networks.getPort(args.port_uuid);
    const c = await findContainer(this.containers, port.container_uuid);
    if (c?.host !== caller.host) throw this.ownership.refusePort(caller, port.uuid, port.container_uuid, c?.host ?? null, method);
    const patch: Partial<Pick<NetworkPort, 'mac_address' | 'status'>> = {};
    if (args.patch.mac_address !== undefined) patch.mac_address = args.patch.mac_address;
    if (args.patch.status !== undefined) patch.status = args.patch.status;
    const saved = await this.networks.updatePort(port.uuid, patch);
    if (patch.status === 'bound' && port.status !== 'bound') await this.peers.announce(ctx, port.network_uuid, caller.host);
    return saved;
  }

  /**
   * portRelease: deletes one port (`port_uuid`) or every port of a container of the caller's host, once the host has
   * unplugged them. A container that is gone or on another host, or a port that is not the container's (gone, or
   * another container's), is answered with nothing released. Then, on each network a host of the released ports
   * left (no port of the network on it any more), every host still on the network gets its new peer list.
   */
  async release(ctx: RequestContext, args: { container_uuid: string; port_uuid: string | null }, caller: RpcCaller): Promise<void> {
    const method = 'portRelease';
    this.ownership.requireCompute(caller, method);
    const c = await findContainer(this.containers, args.container_uuid);
    if (!c || !this.ownership.owns(caller, c.uuid, c.host, method)) return;
    const ports = (await this.networks.portsOf(c.uuid)).filter((p) => args.port_uuid === null || p.port.uuid === args.port_uuid);
    if (!ports.length) return;
    if (args.port_uuid === null) await this.networks.releasePorts(c.uuid);
    else await this.networks.deletePort(args.port_uuid);
    this.logger.info('ports released', { requestId: ctx.requestId, containerUuid: c.uuid, ports: ports.map((p) => p.port.uuid) });
    for (const [networkUuid, hostsLeft] of hostsByNetwork(ports)) {
      const hosts = await this.peers.hostsOf(networkUuid);
      if (hostsLeft.some((h) => !hosts.includes(h))) await this.peers.announce(ctx, networkUuid, caller.host, hosts);
    }
  }

  /** networksOnHost: the networks with a port on the caller's host (whatever host a message might name), with its peers. */
  async onHost(caller: RpcCaller): Promise<HostNetworkInfo[]> {
    this.ownership.requireCompute(caller, 'networksOnHost');
    const networks = await this.networks.networksOnHost(caller.host);
    const peers = await this.peersByNetwork(networks.map((n) => n.uuid), caller.host);
    return networks.map((network) => ({ network, peers: peers.get(network.uuid) ?? [] }));
  }

  /** The peers of `host` on each network (each read once). */
  private async peersByNetwork(networkUuids: readonly string[], host: string): Promise<Map<string, string[]>> {
    const peers = new Map<string, string[]>();
    for (const uuid of networkUuids) if (!peers.has(uuid)) peers.set(uuid, await this.peers.of(uuid, host));
    return peers;
  }

}

/** The hosts the ports were on, per network. */
function hostsByNetwork(ports: readonly PortWithNetwork[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { port, network } of ports) {
    const hosts = out.get(network.uuid) ?? [];
    if (port.host !== null && !hosts.includes(port.host)) hosts.push(port.host);
    out.set(network.uuid, hosts);
  }
  return out;
}
