import {
  type CreateNetworking,
  type LocalNetwork,
  type NetworkDriver,
  type NetworkSpec,
  type PortBinding,
  type PortSpec,
} from './network-driver';
import { cidrsOverlap, validateNetworkSpec, validatePort } from './ipv4';
import { NetworkConflict, NetworkNotFoundOnHost, PortConflict, UnexpectedNetworkCall } from './network.errors';

/** A method of {@link NetworkDriver}. */
export type NetworkDriverMethod = Exclude<keyof NetworkDriver, 'kind'>;

/** One recorded call. */
export interface NetworkDriverCall {
  method: NetworkDriverMethod;
  args: unknown[];
}

interface FakeNetwork {
  spec: NetworkSpec;
  /** container id → binding */
  ports: Map<string, PortBinding>;
}

/** Options of {@link FakeNetworkDriver}. */
export interface FakeNetworkDriverOptions {
  /** This host's underlay address (dropped from peer lists, as the real driver does). */
  underlayAddress?: string;
  /** Methods the code under test may call; any other call is refused and remembered. Default: all. */
  allow?: readonly NetworkDriverMethod[];
}

/**
 * A strict in-memory network driver for unit tests. It keeps the real driver's rules (validation, typed
 * errors, idempotence, one address per container and network, no two networks on one segment or on
 * overlapping subnets) and records every call. Calls of methods not in `allow` are refused with
 * {@link UnexpectedNetworkCall} and remembered, so {@link verify} fails even when the caller swallowed
 * the error. {@link failNext} makes the next call of a method fail with a given error.
 */
export class FakeNetworkDriver implements NetworkDriver {
  readonly kind = 'fake';
  readonly calls: NetworkDriverCall[] = [];
  readonly unexpected: UnexpectedNetworkCall[] = [];
  /** The simulated host's networks by id; tests may read them. */
  readonly networks = new Map<string, FakeNetwork>();
  private readonly failures = new Map<NetworkDriverMethod, Error[]>();
  private readonly allowed: ReadonlySet<NetworkDriverMethod> | null;
  private readonly self: string | null;
  private macCounter = 0;

  constructor(opts: FakeNetworkDriverOptions = {}) {
    this.allowed = opts.allow ? new Set(opts.allow) : null;
    this.self = opts.underlayAddress ?? null;
  }

  /** The next call of `method` rejects with `error` (queued, one per call). */
  failNext(method: NetworkDriverMethod, error: Error): this {
    const list = this.failures.get(method) ?? [];
    list.push(error);
    this.failures.set(method, list);
    return this;
  }

  /** The argument lists of every call of `method`. */
  callsOf(method: NetworkDriverMethod): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** Throws the first refused call. */
  verify(): void {
    const first = this.unexpected[0];
    if (first) throw first;
  }

  private enter(method: NetworkDriverMethod, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.allowed && !this.allowed.has(method)) {
      const err = new UnexpectedNetworkCall(method, 'not allowed by this test');
      this.unexpected.push(err);
      throw err;
    }
    const failure = this.failures.get(method)?.shift();
    if (failure) throw failure;
  }

  private network(id: string): FakeNetwork {
    const n = this.networks.get(id);
    if (!n) throw new NetworkNotFoundOnHost(`Network ${id} does not exist on this host.`);
    return n;
  }

  private view(n: FakeNetwork): LocalNetwork {
    const s = n.spec;
    return {
      id: s.id, projectId: s.projectId, cidr: s.cidr, gateway: s.gateway, segmentationId: s.segmentationId,
      natEgress: s.natEgress, shared: s.shared, peers: s.peers.filter((p) => p !== this.self),
      endpoints: [...n.ports.values()].map((b) => ({ containerId: b.containerId, containerName: b.containerId, ip: b.ip, macAddress: b.macAddress })),
      problems: [],
    };
  }

  async ensureNetwork(spec: NetworkSpec): Promise<LocalNetwork> {
    this.enter('ensureNetwork', [spec]);
    validateNetworkSpec(spec);
    for (const other of this.networks.values()) {
      if (other.spec.id === spec.id) continue;
      if (other.spec.segmentationId === spec.segmentationId) {
        throw new NetworkConflict(`Segment ${spec.segmentationId} is used by network ${other.spec.id} on this host.`);
      }
      if (cidrsOverlap(other.spec.cidr, spec.cidr)) {
        throw new NetworkConflict(`Subnet ${spec.cidr} overlaps ${other.spec.cidr} of network ${other.spec.id} on this host.`);
      }
    }
    const existing = this.networks.get(spec.id);
    if (existing && (existing.spec.cidr !== spec.cidr || existing.spec.gateway !== spec.gateway) && existing.ports.size > 0) {
      throw new NetworkConflict(`Network ${spec.id} is in use here with ${existing.spec.cidr}; it cannot change to ${spec.cidr}.`);
    }
    const net: FakeNetwork = { spec: { ...spec, peers: [...spec.peers] }, ports: existing?.ports ?? new Map() };
    this.networks.set(spec.id, net);
    return this.view(net);
  }

  async updatePeers(networkId: string, peers: readonly string[]): Promise<void> {
    this.enter('updatePeers', [networkId, peers]);
    const n = this.network(networkId);
    n.spec = { ...n.spec, peers: [...peers] };
    validateNetworkSpec(n.spec);
  }

  createNetworking(port: PortSpec): CreateNetworking {
    this.enter('createNetworking', [port]);
    const n = this.network(port.networkId);
    validatePort(n.spec, port);
    return {
      networkMode: `zun-${port.networkId}`,
      endpointsConfig: { [`zun-${port.networkId}`]: { IPAMConfig: { IPv4Address: port.fixedIp }, ...(port.macAddress ? { MacAddress: port.macAddress } : {}) } },
    };
  }

  async connect(containerId: string, port: PortSpec): Promise<PortBinding> {
    this.enter('connect', [containerId, port]);
    return this.plug(containerId, port);
  }

  async describePort(containerId: string, port: PortSpec): Promise<PortBinding> {
    this.enter('describePort', [containerId, port]);
    const b = this.network(port.networkId).ports.get(containerId);
    if (!b || b.ip !== port.fixedIp) throw new PortConflict(`Container ${containerId} is not on network ${port.networkId} with ${port.fixedIp}.`);
    return { ...b };
  }

  /** Plug without recording a call: what `docker create` with {@link createNetworking} does on a real host. */
  plug(containerId: string, port: PortSpec): PortBinding {
    const n = this.network(port.networkId);
    validatePort(n.spec, port);
    const current = n.ports.get(containerId);
    if (current) {
      if (current.ip === port.fixedIp) return { ...current };
      throw new PortConflict(`Container ${containerId} is on network ${port.networkId} with ${current.ip}, not ${port.fixedIp}.`);
    }
    for (const b of n.ports.values()) {
      if (b.ip === port.fixedIp) throw new PortConflict(`Address ${port.fixedIp} is in use on network ${port.networkId}.`);
    }
    this.macCounter += 1;
    const binding: PortBinding = {
      portId: port.id, networkId: port.networkId, subnetId: n.spec.subnetId, containerId, ip: port.fixedIp, version: 4,
      macAddress: port.macAddress ?? `02:42:00:00:${((this.macCounter >> 8) & 0xff).toString(16).padStart(2, '0')}:${(this.macCounter & 0xff).toString(16).padStart(2, '0')}`,
      preserveOnDelete: port.preserveOnDelete,
    };
    n.ports.set(containerId, binding);
    return { ...binding };
  }

  async disconnect(containerId: string, networkId: string): Promise<void> {
    this.enter('disconnect', [containerId, networkId]);
    this.networks.get(networkId)?.ports.delete(containerId);
  }

  async deleteNetworkIfUnused(networkId: string): Promise<boolean> {
    this.enter('deleteNetworkIfUnused', [networkId]);
    const n = this.networks.get(networkId);
    if (!n) return true;
    if (n.ports.size > 0) return false;
    this.networks.delete(networkId);
    return true;
  }

  async listNetworks(): Promise<LocalNetwork[]> {
    this.enter('listNetworks', []);
    return [...this.networks.values()].map((n) => this.view(n));
  }
}
