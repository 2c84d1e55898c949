import { setTimeout as delay } from 'node:timers/promises';
import Docker from 'dockerode';
import { cidrsOverlap, KeyedLock } from '@zun-ts/common';
import {
  type CreateNetworking,
  InvalidNetworkSpec,
  type LocalNetwork,
  NetworkConflict,
  type NetworkDriver,
  NetworkDriverError,
  NetworkNotFoundOnHost,
  type NetworkSpec,
  type PortBinding,
  PortConflict,
  type PortSpec,
  isIpv4,
  validateNetworkSpec,
  validatePort,
} from '@zun-ts/network-driver';
import { type DockerNetworkInfo, endpointsOf, engineError, engineMessage, statusOf } from './docker-engine';
import { type HostCommandRunner, hostCommandRunner } from './host-commands';
import { VxlanDataPlane, vxlanDeviceProblems } from './vxlan-devices';
import {
  LABEL_NAME,
  LABEL_NETWORK_ID,
  LABEL_PROJECT_ID,
  LABEL_SHARED,
  LABEL_SUBNET_ID,
  LABEL_VNI,
  bridgeName,
  dockerNetworkName,
  vxlanName,
} from './vxlan-naming';

/** Options of {@link VxlanNetworkDriver}. */
export interface VxlanDriverOptions {
  /** The host's Docker engine: a dockerode client, or the socket path. */
  docker: Docker | string;
  /** This host's underlay address: the VXLAN source, and what other hosts list as a peer. */
  underlayAddress: string;
  /** Run `ip`/`bridge`/`ebtables`/`iptables` in this network namespace (name under /run/netns, or a path). */
  netns?: string;
  /** The underlay device for VXLAN packets (default: the kernel's route to the peers). */
  underlayDevice?: string;
  /** UDP port of VXLAN (default 4789, IANA's). */
  vxlanPort?: number;
  /** MTU of the project networks (default 1450: a 1500 underlay minus 50 bytes of VXLAN over IPv4). */
  mtu?: number;
  /** Replaces the command runner (tests). */
  runner?: HostCommandRunner;
  /** Replaces the clock, in ms (tests). */
  now?: () => number;
}

/**
 * How long a network this process has converged (every host command run, all succeeded) is trusted by the next
 * ensure of the same spec: it then checks the Docker network and the VXLAN device only (ADR 0023).
 */
export const CONVERGED_TTL_MS = 60_000;

/** A network as this process last converged it. */
interface Converged {
  fingerprint: string;
  dockerId: string;
  at: number;
}

/** Removing a network the engine still lists an endpoint on: how many tries, how far apart. */
const REMOVE_ATTEMPTS = 10;
const REMOVE_RETRY_MS = 200;

/**
 * Project networks as one Docker bridge network per network and host, joined across hosts by a kernel
 * VXLAN device enslaved to that bridge (ADR 0007). The VNI is the network's segmentation id; the device
 * floods to the peers listed in its FDB and learns where each MAC lives.
 */
export class VxlanNetworkDriver implements NetworkDriver {
  readonly kind = 'vxlan';
  private readonly api: Docker;
  private readonly plane: VxlanDataPlane;
  private readonly port: number;
  private readonly mtu: number;
  /** Calls for one network run one at a time in this process (redelivery may overlap). */
  private readonly locks = new KeyedLock();
  /** By network id; dropped whenever the network is removed, its peers change or converging it fails. */
  private readonly converged = new Map<string, Converged>();
  private readonly now: () => number;

  constructor(private readonly opts: VxlanDriverOptions) {
    if (!isIpv4(opts.underlayAddress)) throw new InvalidNetworkSpec(`Underlay address ${opts.underlayAddress} is not IPv4.`);
    this.api = typeof opts.docker === 'string' ? new Docker({ socketPath: opts.docker, timeout: 30_000 }) : opts.docker;
    this.plane = new VxlanDataPlane(opts.runner ?? hostCommandRunner(opts.netns ? { netns: opts.netns } : {}));
    this.port = opts.vxlanPort ?? 4789;
    this.mtu = opts.mtu ?? 1450;
    this.now = opts.now ?? Date.now;
  }

  private async inspect(networkId: string): Promise<DockerNetworkInfo | null> {
    try {
      return (await this.api.getNetwork(dockerNetworkName(networkId)).inspect()) as DockerNetworkInfo;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw engineError(err, `inspecting network ${networkId}`);
    }
  }

  private peersOf(spec: Pick<NetworkSpec, 'peers'>): string[] {
    return [...new Set(spec.peers)].filter((p) => p !== this.opts.underlayAddress).sort();
  }

  async ensureNetwork(spec: NetworkSpec): Promise<LocalNetwork> {
    validateNetworkSpec(spec);
    return this.locks.run(spec.id, async () => {
      const vni = spec.segmentationId;
      let net = await this.inspect(spec.id);
      const fingerprint = this.fingerprintOf(spec);
      const memo = this.converged.get(spec.id);
      this.converged.delete(spec.id);
      if (net && memo && memo.fingerprint === fingerprint && memo.dockerId === net.Id && this.now() - memo.at < CONVERGED_TTL_MS &&
        (await this.deviceInPlace(vni))) {
        this.converged.set(spec.id, memo);
        return this.convergedView(spec, net);
      }
      if (net) {
        const cfg = net.IPAM?.Config?.[0];
        const sameShape = cfg?.Subnet === spec.cidr && cfg.Gateway === spec.gateway && net.Labels?.[LABEL_VNI] === String(vni) && Boolean(net.Internal) === !spec.natEgress;
        if (!sameShape) {
          if (Object.keys(net.Containers ?? {}).length > 0) {
            throw new NetworkConflict(`Network ${spec.id} is in use on this host with another subnet, segment or egress setting.`);
          }
          await this.removeLocal(spec.id, net);
          net = null;
        }
      }
      if (!net) net = await this.createDockerNetwork(spec);
      const bridge = net.Options?.['com.docker.network.bridge.name'] ?? bridgeName(vni);
      if (bridge !== bridgeName(vni)) throw new NetworkConflict(`Docker network ${net.Name} uses bridge ${bridge}, not ${bridgeName(vni)}.`);
      const vx = vxlanName(vni);
      await this.plane.ensureVxlanInjectionGuard(this.port);
      await this.plane.ensureVxlan({
        name: vx, vni, local: this.opts.underlayAddress, port: this.port, mtu: this.mtu, bridge,
        ...(this.opts.underlayDevice ? { underlayDevice: this.opts.underlayDevice } : {}),
      });
      await this.plane.ensureGatewayArpFilter(vni, vx, spec.gateway);
      await this.plane.setFloodPeers(vx, this.peersOf(spec));
      this.converged.set(spec.id, { fingerprint, dockerId: net.Id, at: this.now() });
      return this.convergedView(spec, net);
    });
  }

  /** What a converged network depends on that may change (this host's VXLAN settings are fixed per process). */
  private fingerprintOf(spec: NetworkSpec): string {
    return JSON.stringify([spec.cidr, spec.gateway, spec.segmentationId, spec.natEgress, this.peersOf(spec)]);
  }

  /** The network as converging `spec` leaves it (no need to read it back). */
  private convergedView(spec: NetworkSpec, net: DockerNetworkInfo): LocalNetwork {
    return {
      id: spec.id, projectId: spec.projectId, cidr: spec.cidr, gateway: spec.gateway, segmentationId: spec.segmentationId, natEgress: spec.natEgress,
      shared: spec.shared, peers: this.peersOf(spec), endpoints: endpointsOf(net), problems: [],
    };
  }

  /** The VXLAN device of `vni` as converging leaves it (this MTU too): one `ip link show`. */
  private async deviceInPlace(vni: number): Promise<boolean> {
    const dev = await this.plane.readVxlan(vxlanName(vni));
    return dev !== null && vxlanDeviceProblems(vni, dev, this.opts.underlayAddress).length === 0 && dev.mtu === this.mtu;
  }

  private async createDockerNetwork(spec: NetworkSpec): Promise<DockerNetworkInfo> {
    const vni = spec.segmentationId;
    await this.evictStale(spec);
    try {
      await this.api.createNetwork({
        Name: dockerNetworkName(spec.id),
        Driver: 'bridge',
        CheckDuplicate: true,
        Internal: !spec.natEgress,
        IPAM: { Driver: 'default', Config: [{ Subnet: spec.cidr, Gateway: spec.gateway }] },
        Options: {
          'com.docker.network.bridge.name': bridgeName(vni),
          'com.docker.network.driver.mtu': String(this.mtu),
          'com.docker.network.bridge.enable_icc': 'true',
          'com.docker.network.bridge.enable_ip_masquerade': String(spec.natEgress),
        },
        Labels: {
          [LABEL_NETWORK_ID]: spec.id,
          [LABEL_PROJECT_ID]: spec.projectId,
          [LABEL_VNI]: String(vni),
          [LABEL_SHARED]: String(spec.shared),
          [LABEL_SUBNET_ID]: spec.subnetId,
          [LABEL_NAME]: spec.name,
        },
      });
    } catch (err) {
      const msg = engineMessage(err);
      // a concurrent create (another process) won the race: use what it made, checked by the caller
      if (statusOf(err) === 409 && /already exists/i.test(msg)) {
        const made = await this.inspect(spec.id);
        if (made) return made;
      }
      if (/overlap/i.test(msg)) throw new NetworkConflict(`Network ${spec.id}: subnet ${spec.cidr} overlaps a network on this host (${msg}).`);
      throw engineError(err, `creating network ${spec.id}`);
    }
    const made = await this.inspect(spec.id);
    if (!made) throw new NetworkDriverError(`Network ${spec.id} vanished right after it was created.`);
    return made;
  }

  /**
   * Before making a network here: another network this host still has with the same segment or an overlapping subnet
   * (kept set up after its last container left, then deleted in the cloud, its VNI or addresses given to `spec`) is
   * removed when no container uses it. One in use stays, and the create fails on it as before.
   */
  private async evictStale(spec: NetworkSpec): Promise<void> {
    let nets: DockerNetworkInfo[];
    try {
      nets = (await this.api.listNetworks({ filters: { label: [LABEL_NETWORK_ID] } })) as DockerNetworkInfo[];
    } catch (err) {
      throw engineError(err, 'listing networks');
    }
    for (const n of nets) {
      const id = n.Labels?.[LABEL_NETWORK_ID];
      if (!id || id === spec.id) continue;
      const sameVni = n.Labels?.[LABEL_VNI] === String(spec.segmentationId);
      const overlaps = (n.IPAM?.Config ?? []).some((c) => c.Subnet !== undefined && cidrsOverlap(c.Subnet, spec.cidr));
      if (sameVni || overlaps) await this.deleteNetworkIfUnused(id);
    }
  }

  updatePeers(networkId: string, peers: readonly string[]): Promise<void> {
    const bad = peers.find((p) => !isIpv4(p));
    if (bad !== undefined) return Promise.reject(new InvalidNetworkSpec(`Network ${networkId}: peer ${bad} is not an IPv4 address.`));
    return this.locks.run(networkId, async () => {
      this.converged.delete(networkId);
      const net = await this.inspect(networkId);
      const vni = Number(net?.Labels?.[LABEL_VNI]);
      if (!net || !Number.isInteger(vni)) throw new NetworkNotFoundOnHost(`Network ${networkId} does not exist on this host.`);
      if (!(await this.plane.linkExists(vxlanName(vni)))) {
        throw new NetworkNotFoundOnHost(`Network ${networkId} has no VXLAN device on this host; ensure it again.`);
      }
      await this.plane.setFloodPeers(vxlanName(vni), this.peersOf({ peers }));
    });
  }

  createNetworking(port: PortSpec): CreateNetworking {
    const name = dockerNetworkName(port.networkId);
    return {
      networkMode: name,
      endpointsConfig: { [name]: { IPAMConfig: { IPv4Address: port.fixedIp }, ...(port.macAddress ? { MacAddress: port.macAddress } : {}) } },
    };
  }

  private async bindingOf(containerId: string, port: PortSpec, net: DockerNetworkInfo): Promise<PortBinding | null> {
    let info: {
      Id: string;
      NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; MacAddress?: string; NetworkID?: string; IPAMConfig?: { IPv4Address?: string } | null }> };
    };
    try {
      info = await this.api.getContainer(containerId).inspect();
    } catch (err) {
      if (statusOf(err) === 404) throw new PortConflict(`Container ${containerId} does not exist on this host.`);
      throw engineError(err, `inspecting container ${containerId}`);
    }
    const ep = info.NetworkSettings?.Networks?.[net.Name];
    if (!ep) return null;
    // A container that is not running has no address yet: the engine keeps the one it was given in IPAMConfig.
    const ip = ep.IPAddress || ep.IPAMConfig?.IPv4Address || '';
    if (ip !== port.fixedIp) {
      throw new PortConflict(`Container ${containerId} is on network ${port.networkId} with ${ip || 'no address'}, not ${port.fixedIp}.`);
    }
    return {
      portId: port.id, networkId: port.networkId, subnetId: net.Labels?.[LABEL_SUBNET_ID] ?? '', containerId: info.Id,
      ip: port.fixedIp, version: 4, macAddress: ep.MacAddress ?? '', preserveOnDelete: port.preserveOnDelete,
    };
  }

  private async localNetworkFor(port: PortSpec): Promise<DockerNetworkInfo> {
    const net = await this.inspect(port.networkId);
    const cfg = net?.IPAM?.Config?.[0];
    if (!net || !cfg?.Subnet || !cfg.Gateway) throw new NetworkNotFoundOnHost(`Network ${port.networkId} does not exist on this host.`);
    validatePort({ id: port.networkId, cidr: cfg.Subnet, gateway: cfg.Gateway }, port);
    return net;
  }

  async connect(containerId: string, port: PortSpec): Promise<PortBinding> {
    const net = await this.localNetworkFor(port);
    const existing = await this.bindingOf(containerId, port, net);
    if (existing) return existing;
    try {
      await this.api.getNetwork(net.Id).connect({
        Container: containerId,
        EndpointConfig: { IPAMConfig: { IPv4Address: port.fixedIp }, ...(port.macAddress ? { MacAddress: port.macAddress } : {}) },
      });
    } catch (err) {
      const msg = engineMessage(err);
      if (/already (exists|attached)|endpoint with name .* already exists/i.test(msg)) {
        const now = await this.bindingOf(containerId, port, net);
        if (now) return now;
      }
      if (/address already in use|in use/i.test(msg)) throw new PortConflict(`Address ${port.fixedIp} is in use on network ${port.networkId}.`);
      throw engineError(err, `connecting ${containerId} to network ${port.networkId}`);
    }
    const bound = await this.bindingOf(containerId, port, net);
    if (!bound) throw new NetworkDriverError(`Container ${containerId} is not on network ${port.networkId} after connect.`);
    return bound;
  }

  async describePort(containerId: string, port: PortSpec): Promise<PortBinding> {
    const net = await this.localNetworkFor(port);
    const bound = await this.bindingOf(containerId, port, net);
    if (!bound) throw new PortConflict(`Container ${containerId} is not on network ${port.networkId}.`);
    return bound;
  }

  async disconnect(containerId: string, networkId: string): Promise<void> {
    try {
      await this.api.getNetwork(dockerNetworkName(networkId)).disconnect({ Container: containerId, Force: true });
    } catch (err) {
      const msg = engineMessage(err);
      if (statusOf(err) === 404 || /is not connected|not found|no such/i.test(msg)) return;
      throw engineError(err, `disconnecting ${containerId} from network ${networkId}`);
    }
  }

  deleteNetworkIfUnused(networkId: string): Promise<boolean> {
    return this.locks.run(networkId, async () => {
      const net = await this.inspect(networkId);
      // Every container configured on the network uses it, running or stopped (a stopped one rejoins at its next
      // start). An endpoint the network still lists without such a container is a removed container's, going.
      if (net && (await this.containersOn(net.Name)) > 0) return false;
      await this.removeLocal(networkId, net);
      return true;
    });
  }

  /** How many containers, running or not, are configured on the Docker network `name`. */
  private async containersOn(name: string): Promise<number> {
    try {
      return (await this.api.listContainers({ all: true, filters: { network: [name] } })).length;
    } catch (err) {
      throw engineError(err, `listing the containers of network ${name}`);
    }
  }

  /** Removes the VXLAN device, the ARP filter and the Docker network (and with it the bridge). */
  private async removeLocal(networkId: string, net: DockerNetworkInfo | null): Promise<void> {
    this.converged.delete(networkId);
    const vni = Number(net?.Labels?.[LABEL_VNI]);
    if (Number.isInteger(vni) && vni > 0) {
      await this.plane.deleteLink(vxlanName(vni));
      await this.plane.removeGatewayArpFilter(vni, vxlanName(vni));
    }
    if (!net) return;
    // The engine may still list the endpoint of a container it has just removed: a few short retries.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.api.getNetwork(net.Id).remove();
        return;
      } catch (err) {
        if (statusOf(err) === 404) return;
        if (!/active endpoints/i.test(engineMessage(err))) throw engineError(err, `removing network ${networkId}`);
        if (attempt >= REMOVE_ATTEMPTS || (await this.containersOn(net.Name)) > 0) {
          throw new NetworkConflict(`Network ${networkId} gained a container while it was being removed.`);
        }
        await delay(REMOVE_RETRY_MS);
      }
    }
  }

  async listNetworks(): Promise<LocalNetwork[]> {
    let nets: { Id: string }[];
    try {
      nets = await this.api.listNetworks({ filters: { label: [LABEL_NETWORK_ID] } });
    } catch (err) {
      throw engineError(err, 'listing networks');
    }
    const out: LocalNetwork[] = [];
    for (const n of nets) {
      try {
        out.push(await this.describe((await this.api.getNetwork(n.Id).inspect()) as DockerNetworkInfo));
      } catch (err) {
        if (statusOf(err) !== 404) throw engineError(err, `inspecting network ${n.Id}`);
      }
    }
    return out;
  }

  private async describe(net: DockerNetworkInfo): Promise<LocalNetwork> {
    const labels = net.Labels ?? {};
    const cfg = net.IPAM?.Config?.[0] ?? {};
    const vni = Number(labels[LABEL_VNI]);
    const vx = vxlanName(vni);
    const dev = await this.plane.readVxlan(vx);
    const problems = vxlanDeviceProblems(vni, dev, this.opts.underlayAddress);
    if (!(await this.plane.gatewayArpFilterPresent(vni, vx))) problems.push('the gateway ARP filter is incomplete');
    // Seen broken: the next ensure converges it in full, trusted or not.
    if (problems.length) this.converged.delete(labels[LABEL_NETWORK_ID] ?? '');
    return {
      id: labels[LABEL_NETWORK_ID] ?? '', projectId: labels[LABEL_PROJECT_ID] ?? '', cidr: cfg.Subnet ?? '', gateway: cfg.Gateway ?? '',
      segmentationId: vni, natEgress: !net.Internal, shared: labels[LABEL_SHARED] === 'true',
      peers: dev ? await this.plane.floodPeers(vx) : [], endpoints: endpointsOf(net), problems,
    };
  }
}
