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
 * Which networks' hosts must hear of a change once the container's ports moved to `host`. A host's peers are the
 * underlay addresses of the other hosts with an address on the network, so a list changes exactly when that set of
 * addresses does: `peersBefore` and `peersAfter` are the network's whole set (peersOf with no host left out) before
 * and after the allocation. It grows when `host` joins, and shrinks when a host of the ports is left with none (a
 * recovered build moving off a dead host). When a port of this very container was on `host` already (a redelivered
 * build), the first delivery may have changed the set and died before casting, which cannot be told now, so the
 * network counts as changed: casting a peer list again is harmless, missing one is not.
 */
export function networksToAnnounce(
  before: readonly PortWithNetwork[],
  peersBefore: ReadonlyMap<string, readonly string[]>,
  peersAfter: ReadonlyMap<string, readonly string[]>,
  host: string,
): string[] {
  const out: string[] = [];
  for (const [networkUuid, after] of peersAfter) {
    const was = new Set(peersBefore.get(networkUuid) ?? []);
    const changed = was.size !== new Set(after).size || after.some((ip) => !was.has(ip));
    const redelivered = before.some((p) => p.network.uuid === networkUuid && p.port.host === host);
    if (changed || redelivered) out.push(networkUuid);
  }
  return out;
}

/**
 * The network step of a build, between the claim and the create's cast: gives the container's ports their addresses
 * on the chosen host (NetworkRepository.allocatePorts: pending ports get one, allocated ones keep theirs and move to
 * the host, so a redelivered or rescheduled build keeps its addresses), then tells the other hosts of each network
 * whose set of peers changed (the host joined, or a previous host left) their new peer lists. The chosen host gets its own peers with the ports
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
    const peersBefore = await this.allPeers(networkUuids);
    const ports = await this.networks.allocatePorts(containerUuid, host);
    log.info('ports allocated', { host, addresses: ports.map((p) => p.port.fixed_ip) });
    const peersAfter = await this.allPeers(networkUuids);
    for (const networkUuid of networksToAnnounce(before, peersBefore, peersAfter, host)) {
      await this.peers.announce(ctx, networkUuid, host);
    }
    return ports;
  }

  /** Each network's underlay addresses, no host left out. */
  private async allPeers(networkUuids: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const uuid of networkUuids) out.set(uuid, await this.networks.peersOf(uuid, null));
    return out;
  }
}
