import { type Logger, type RequestContext } from '@zun-ts/common';
import { type NetworkRepository } from '@zun-ts/db';
import { type ComputeCaster } from './tokens';

/** The repository calls peer updates make (tests pass fakes). */
export type NetworkPeersRepository = Pick<NetworkRepository, 'hostsOf' | 'peersOf'>;

/**
 * Keeps the VXLAN peer lists of a network's hosts current: no control plane learns them, the conductor tells
 * each host (ADR 0007, Consequences). A host's peers on a network are the underlay addresses of the other hosts
 * with a port on it, as the database has them now. When a host joins or leaves a network, every other host on it
 * gets its whole new list (networkUpdatePeers), never a delta, so a list cast twice, or late, is harmless: the
 * host sets what it is told, and the next change sends the then-current list again.
 */
export class NetworkPeers {
  constructor(
    private readonly networks: NetworkPeersRepository,
    private readonly compute: ComputeCaster,
    private readonly logger: Logger,
  ) {}

  /** The peers of `host` on the network. */
  of(networkUuid: string, host: string): Promise<string[]> {
    return this.networks.peersOf(networkUuid, host);
  }

  /** The hosts with a port on the network. */
  hostsOf(networkUuid: string): Promise<string[]> {
    return this.networks.hostsOf(networkUuid);
  }

  /**
   * Casts networkUpdatePeers to each of `hosts` (default: every host on the network) but `except`, each with its
   * own peer list. Returns the hosts told.
   */
  async announce(ctx: RequestContext, networkUuid: string, except: string | null, hosts?: readonly string[]): Promise<string[]> {
    const told = (hosts ?? (await this.networks.hostsOf(networkUuid))).filter((h) => h !== except);
    for (const host of told) {
      const peers = await this.networks.peersOf(networkUuid, host);
      await this.compute(host).cast('networkUpdatePeers', ctx, { network_uuid: networkUuid, peers });
    }
    if (told.length) this.logger.info('network peers updated', { requestId: ctx.requestId, networkUuid, hosts: told });
    return told;
  }
}
