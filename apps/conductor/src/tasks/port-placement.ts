import { IpAddressInUse, type Logger, NetworkExhausted, type RequestContext } from '@zun-ts/common';
import { type NetworkRepository, type PortWithNetwork } from '@zun-ts/db';
import { NetworkPeers, type NetworkPeersRepository } from '../network-peers';
import { type ComputeCaster } from '../tokens';

/** The repository calls the build's network step makes (tests pass fakes). */
export type PortPlacementRepository = Pick<NetworkRepository, 'portsOf' | 'allocatePorts'> & NetworkPeersRepository;

/**
 * True for an allocation failure no other host can fix: the address is the problem (the network has no free
 * address, or the requested one is held), so the build fails instead of moving on.
 */
export function isAddressFailure(err: unknown): err is NetworkExhausted | IpAddressInUse {
  return err instanceof NetworkExhausted || err instanceof IpAddressInUse;
}

/**
 * Which networks' hosts must hear of a change once the container's ports moved to `host`: those `host` joined and
 * those a host of the ports left. `before` are the container's ports before the allocation; `hostsBefore` and
 * `hostsAfter` the hosts on each network before and after it. `host` joined a network it was not on before; when a
 * port of this very container was on `host` already (a redelivered build), whether another container holds the
 * network there cannot be told, so it counts as joined: casting a peer list again is harmless, missing one is not.
 */
export function networksToAnnounce(
  before: readonly PortWithNetwork[],
  hostsBefore: ReadonlyMap<string, readonly string[]>,
  hostsAfter: ReadonlyMap<string, readonly string[]>,
  host: string,
): string[] {
  const out: string[] = [];
  for (const [networkUuid, after] of hostsAfter) {
    const ours = before.filter((p) => p.network.uuid === networkUuid).map((p) => p.port.host);
    const joined = !(hostsBefore.get(networkUuid) ?? []).includes(host) || ours.includes(host);
    const left = ours.some((h) => h !== null && h !== host && !after.includes(h));
    if (joined || left) out.push(networkUuid);
  }
  return out;
}

/**
 * The network step of a build, between the claim and the create's cast: gives the container's ports their addresses
 * on the chosen host (NetworkRepository.allocatePorts: pending ports get one, allocated ones keep theirs and move to
 * the host, so a redelivered or rescheduled build keeps its addresses), then tells the other hosts of each network
 * the host joined (or a previous host left) their new peer lists. The chosen host gets its own peers with the ports
 * (containerNetworks). Throws what allocation throws: NetworkExhausted and IpAddressInUse (see
 * {@link isAddressFailure}) allocate nothing.
 */
export class PortPlacement {
  private readonly peers: NetworkPeers;

  constructor(
    private readonly networks: PortPlacementRepository,
    compute: ComputeCaster,
    logger: Logger,
  ) {
    this.peers = new NetworkPeers(networks, compute, logger);
  }

  /** Allocates the container's ports on `host` and announces the change; a container without ports costs one read. */
  async allocate(ctx: RequestContext, containerUuid: string, host: string, log: Logger): Promise<PortWithNetwork[]> {
    const before = await this.networks.portsOf(containerUuid);
    if (!before.length) return [];
    const networkUuids = [...new Set(before.map((p) => p.network.uuid))];
    const hostsBefore = await this.hostsOf(networkUuids);
    const ports = await this.networks.allocatePorts(containerUuid, host);
    log.info('ports allocated', { host, addresses: ports.map((p) => p.port.fixed_ip) });
    const hostsAfter = await this.hostsOf(networkUuids);
    for (const networkUuid of networksToAnnounce(before, hostsBefore, hostsAfter, host)) {
      await this.peers.announce(ctx, networkUuid, host, hostsAfter.get(networkUuid));
    }
    return ports;
  }

  private async hostsOf(networkUuids: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const uuid of networkUuids) out.set(uuid, await this.peers.hostsOf(uuid));
    return out;
  }
}
