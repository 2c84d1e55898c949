import { isRetryable, type Logger, type RequestContext } from '@zun-ts/common';
import { type ContainerCreateSpec, type ContainerState } from '@zun-ts/compute-driver';
import { type Container, type ContainerAddresses, type HostContainerPatch, type Network, type NetworkPort, type PublishedPort } from '@zun-ts/objects';
import {
  InvalidNetworkSpec,
  type NetworkDriver,
  NetworkNotFoundOnHost,
  type NetworkSpec,
  type PortBinding,
  type PortSpec,
  toZunAddresses,
} from '@zun-ts/network-driver';
import { type ContainerPortInfo } from '@zun-ts/rpc';
import { type ContainerRecords, errorText, LIVE_STATUSES } from './conductor-api';

/** The create options of a container's networks: its first port, and whether its exposed ports are published. */
export type NetworkCreateOptions = Required<Pick<ContainerCreateSpec, 'network_mode' | 'endpoints_config' | 'publish_ports'>>;

/** What {@link ContainerNetworks.prepare} set up for one create attempt, and what that attempt connected. */
export interface PreparedNetworks {
  /** The container's ports in device order; the first is plugged by `docker create`. */
  ports: ContainerPortInfo[];
  create: NetworkCreateOptions;
  /** Networks this attempt connected the engine container to after its create (ports after the first). */
  connected: string[];
  /** Networks this attempt keeps from being torn down here until its engine container exists (or it gave up). */
  held: string[];
}

/** Options of {@link ContainerNetworks}. */
export interface ContainerNetworksOptions {
  /** `published_ports[].host_ip`: `[network] publish_ip`, else `underlay_ip`, else 127.0.0.1. */
  publishIp: string;
  /**
   * `[network] idle_network_timeout` in ms: how long a network stays set up here after its last container here was
   * deleted or detached from it (the next container on it then starts without making it again). 0: removed at once.
   */
  idleMs?: number;
}

/** The address published ports are reported on, from `[network]`. */
export function publishIpOf(conf: { publish_ip: string; underlay_ip: string }): string {
  return conf.publish_ip || conf.underlay_ip || '127.0.0.1';
}

/** What the network driver needs of a network record (and its peers) to make it exist on this host. */
export function networkSpecOf(n: Network, peers: readonly string[]): NetworkSpec {
  return {
    id: n.uuid, name: n.name, projectId: n.project_id ?? '', cidr: n.cidr, gateway: n.gateway, subnetId: n.subnet_id, shared: n.shared,
    natEgress: n.nat_egress, segmentationId: n.segmentation_id, peers: [...peers],
  };
}

/** A port record as the driver plugs it; a port without an address yet cannot be. */
export function portSpecOf(p: NetworkPort): PortSpec {
  if (!p.fixed_ip) throw new InvalidNetworkSpec(`Port ${p.uuid} of container ${p.container_uuid} has no address yet.`);
  return { id: p.uuid, networkId: p.network_uuid, fixedIp: p.fixed_ip, preserveOnDelete: p.preserve_on_delete };
}

/** The binding a plugged port has, from its records alone (MAC as recorded). */
export function recordedBinding(info: ContainerPortInfo, containerId: string): PortBinding {
  return {
    portId: info.port.uuid, networkId: info.network.uuid, subnetId: info.network.subnet_id, containerId, ip: info.port.fixed_ip ?? '', version: 4,
    macAddress: info.port.mac_address ?? '', preserveOnDelete: info.port.preserve_on_delete,
  };
}

/** `published_ports` of a running container: the engine's bindings, reported on `hostIp`. */
export function publishedPortsOf(state: Pick<ContainerState, 'published'>, hostIp: string): PublishedPort[] {
  return state.published.map((p) => ({ port: p.port, protocol: p.protocol, host_ip: hostIp, host_port: p.host_port }));
}

const NO_NETWORK: NetworkCreateOptions = { network_mode: 'none', endpoints_config: null, publish_ports: false };

/**
 * The networks of this host's containers (ADR 0007): each port of a container is a NIC on a project network,
 * whose address the database allocated. Before `docker create` the container's networks are made to exist here
 * (ensure, with the peers the conductor knows) and the first port goes into the create options; after it the
 * other ports are connected and every port is recorded `bound`. `addresses` always come from the ports, never
 * from the engine. Records are read and written through the conductor; the data plane is the network driver's.
 */
export class ContainerNetworks {
  /**
   * Create attempts in flight per network: between the ensure of {@link prepare} and `docker create`, no container
   * uses the network yet, and the delete of its last container here must not remove it under the new one.
   */
  private readonly holds = new Map<string, number>();
  /** Networks no container here uses any more, by id: the timer that removes each once idle_network_timeout has passed. */
  private readonly idle = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly driver: NetworkDriver,
    private readonly records: ContainerRecords,
    private readonly opts: ContainerNetworksOptions,
    private readonly logger: Logger,
  ) {}

  /** The container's ports with their networks and peers, in device order. */
  async portsOf(ctx: RequestContext, uuid: string): Promise<ContainerPortInfo[]> {
    const ports = await this.records.api.call('containerNetworks', ctx, { container_uuid: uuid });
    return [...ports].sort((a, b) => a.port.device_index - b.port.device_index);
  }

  /**
   * Before `docker create` (create, rebuild, auto-heal): every network of the container's ports exists here,
   * and the create options plug the first port. No port: no network at all (the API always gives one, the
   * project's default). Exposed ports are published when the first network has NAT egress: the engine cannot
   * publish ports of a container whose first network is internal.
   */
  async prepare(ctx: RequestContext, c: Container): Promise<PreparedNetworks> {
    const ports = (await this.portsOf(ctx, c.uuid)).filter((p) => p.port.status !== 'detaching');
    const first = ports[0];
    if (!first) return { ports, create: NO_NETWORK, connected: [], held: [] };
    for (const p of ports) portSpecOf(p.port);
    const held = this.hold(ports.map((p) => p.network.uuid));
    try {
      for (const p of ports) await this.driver.ensureNetwork(networkSpecOf(p.network, p.peers));
    } catch (err) {
      await this.letGo(ctx, held, true);
      throw err;
    }
    const networking = this.driver.createNetworking(portSpecOf(first.port));
    const exposed = Object.keys(c.exposed_ports ?? {}).length > 0;
    if (exposed && !first.network.nat_egress) {
      this.logger.info('exposed ports not published: the first network has no NAT egress', { containerUuid: c.uuid, networkUuid: first.network.uuid });
    }
    return {
      ports,
      create: { network_mode: networking.networkMode, endpoints_config: networking.endpointsConfig, publish_ports: exposed && first.network.nat_egress },
      connected: [],
      held,
    };
  }

  /**
   * After `docker create`: the other ports are connected, every port recorded `bound` (with its MAC once the
   * engine gave one), and the container's `addresses` answered. Idempotent: a plugged port is only described.
   * The engine container now keeps its networks here by itself: the attempt's holds are let go.
   */
  async plug(ctx: RequestContext, prepared: PreparedNetworks, containerId: string): Promise<ContainerAddresses> {
    const bindings: PortBinding[] = [];
    try {
      for (const [i, info] of prepared.ports.entries()) {
        const spec = portSpecOf(info.port);
        if (i === 0) {
          bindings.push(await this.driver.describePort(containerId, spec));
        } else {
          prepared.connected.push(spec.networkId);
          bindings.push(await this.driver.connect(containerId, spec));
        }
      }
    } finally {
      await this.letGo(ctx, prepared.held, false);
    }
    for (const b of bindings) await this.saveBound(ctx, b);
    return toZunAddresses(bindings);
  }

  /**
   * A create attempt failed after {@link prepare}: the ports it connected are unplugged (the first goes with the
   * engine container). The ports stay allocated: the conductor may place the container on another host. A network
   * the attempt made here that nothing uses is removed, so a rescheduled container leaves no network behind.
   */
  async undo(ctx: RequestContext, c: Container, prepared: PreparedNetworks, containerId: string | null): Promise<void> {
    if (containerId) {
      for (const networkId of prepared.connected) {
        await this.driver
          .disconnect(containerId, networkId)
          .catch((err: unknown) => this.logger.warn('port of a failed create not unplugged', { requestId: ctx.requestId, containerUuid: c.uuid, networkUuid: networkId, error: errorText(err) }));
      }
    }
    await this.letGo(ctx, prepared.held, false);
    for (const id of new Set(prepared.ports.map((p) => p.network.uuid))) await this.dropIfUnused(ctx, id);
  }

  /**
   * Before a start: the container's networks exist here as the database says (a host restart loses the VXLAN
   * devices; a network removed while the container was stopped is made again, and the engine rejoins it by name).
   */
  async ensureReady(ctx: RequestContext, c: Container): Promise<void> {
    for (const p of await this.portsOf(ctx, c.uuid)) {
      if (p.port.status !== 'detaching') await this.driver.ensureNetwork(networkSpecOf(p.network, p.peers));
    }
  }

  /**
   * After a start: what the record learns from the running container (the host ports the engine picked for its
   * published ports). Ports whose MAC was unknown before the start (a container created stopped) get it, best effort.
   */
  async started(ctx: RequestContext, c: Container, state: ContainerState): Promise<HostContainerPatch> {
    await this.learnMacs(ctx, c, state);
    return { published_ports: this.publishedPorts(state) };
  }

  /**
   * Ports whose MAC was unknown before the start get the one the engine gave, best effort (never thrown). Nothing the
   * API shows depends on it (a re-create keeps the MAC), so a new container's run records it after Running.
   */
  async learnMacs(ctx: RequestContext, c: Container, state: Pick<ContainerState, 'container_id'>): Promise<void> {
    try {
      for (const info of await this.portsOf(ctx, c.uuid)) {
        if (info.port.mac_address || info.port.status !== 'bound' || !info.port.fixed_ip) continue;
        const b = await this.driver.describePort(state.container_id, portSpecOf(info.port));
        if (b.macAddress) await this.saveBound(ctx, b);
      }
    } catch (err) {
      this.logger.debug('port MACs not recorded', { requestId: ctx.requestId, containerUuid: c.uuid, error: errorText(err) });
    }
  }

  /** `published_ports` for an engine state (none unless it runs). */
  publishedPorts(state: Pick<ContainerState, 'published'>): PublishedPort[] {
    return publishedPortsOf(state, this.opts.publishIp);
  }

  /**
   * After the engine container went (delete): every port of the container is released, then each of its networks
   * is removed from this host when no container uses it any more. A failure to remove a network is only logged
   * (the start-up recovery removes unused networks). A redelivered delete finds no ports; the networks named in
   * the record's `addresses` are still looked at.
   */
  async release(ctx: RequestContext, c: Container): Promise<void> {
    const ports = await this.portsOf(ctx, c.uuid);
    const networks = new Set([...ports.map((p) => p.network.uuid), ...Object.keys(c.addresses ?? {})]);
    if (ports.length) await this.records.api.call('portRelease', ctx, { container_uuid: c.uuid, port_uuid: null });
    for (const id of networks) await this.dropWhenIdle(ctx, id);
  }

  /**
   * Removes now the networks kept set up for idle_network_timeout (zun-compute stopping: what it set up on the host
   * for a next container goes with it; a network a container uses stays).
   */
  async dropIdle(ctx: RequestContext): Promise<void> {
    const ids = [...this.idle.keys()];
    for (const t of this.idle.values()) clearTimeout(t);
    this.idle.clear();
    for (const id of ids) await this.dropIfUnused(ctx, id);
  }

  /**
   * networkAttach (the API added an allocated port and set `network_attaching`): the network is made to exist
   * here, the port plugged and recorded, `addresses` saved and the task cleared. A port that cannot be plugged is
   * released (its address freed) and the task cleared; only an unreachable engine or conductor makes the message
   * come again. A container not made yet gets the port at its create.
   */
  async attach(ctx: RequestContext, c: Container, portUuid: string): Promise<void> {
    const log = this.logger.child({ requestId: ctx.requestId, containerUuid: c.uuid, portUuid });
    const ports = await this.portsOf(ctx, c.uuid);
    const info = ports.find((p) => p.port.uuid === portUuid);
    if (!info) {
      log.info('port to attach is gone; nothing to do');
      return this.finish(ctx, c, 'network_attaching', ports);
    }
    if (!c.container_id) return this.finish(ctx, c, 'network_attaching', null);
    try {
      await this.driver.ensureNetwork(networkSpecOf(info.network, info.peers));
      const b = await this.driver.connect(c.container_id, portSpecOf(info.port));
      await this.saveBound(ctx, b);
      info.port = { ...info.port, status: 'bound', mac_address: b.macAddress || info.port.mac_address };
      log.info('port attached', { networkUuid: info.network.uuid, ip: b.ip });
    } catch (err) {
      if (isRetryable(err)) throw err;
      log.warn('port not attached; released', { error: errorText(err) });
      await this.records.api.call('portRelease', ctx, { container_uuid: c.uuid, port_uuid: portUuid });
      return this.finish(ctx, c, 'network_attaching', ports.filter((p) => p !== info));
    }
    await this.finish(ctx, c, 'network_attaching', ports);
  }

  /**
   * networkDetach (the API marked the port `detaching`, task `network_detaching`): unplugged, released, its
   * network removed here when unused, `addresses` saved and the task cleared. A redelivery finds the port gone
   * and only saves the addresses.
   */
  async detach(ctx: RequestContext, c: Container, portUuid: string): Promise<void> {
    const log = this.logger.child({ requestId: ctx.requestId, containerUuid: c.uuid, portUuid });
    const ports = await this.portsOf(ctx, c.uuid);
    const info = ports.find((p) => p.port.uuid === portUuid);
    if (info) {
      if (c.container_id) {
        try {
          await this.driver.disconnect(c.container_id, info.network.uuid);
        } catch (err) {
          if (isRetryable(err)) throw err;
          log.warn('port not detached', { error: errorText(err) });
          return this.finish(ctx, c, 'network_detaching', null);
        }
      }
      await this.records.api.call('portRelease', ctx, { container_uuid: c.uuid, port_uuid: portUuid });
      await this.dropWhenIdle(ctx, info.network.uuid);
      log.info('port detached', { networkUuid: info.network.uuid });
    }
    await this.finish(ctx, c, 'network_detaching', ports.filter((p) => p !== info));
  }

  /**
   * networkUpdatePeers: the network's flood list here. A network this host does not have is left alone,
   * unless a port of this host is on it (its device was lost): then it is made whole again.
   */
  async updatePeers(ctx: RequestContext, networkUuid: string, peers: readonly string[]): Promise<void> {
    try {
      await this.driver.updatePeers(networkUuid, peers);
    } catch (err) {
      if (!(err instanceof NetworkNotFoundOnHost)) throw err;
      const here = (await this.records.api.call('networksOnHost', ctx, {})).find((n) => n.network.uuid === networkUuid);
      if (!here) return;
      await this.driver.ensureNetwork(networkSpecOf(here.network, peers));
      this.logger.info('network repaired on a peer update', { networkUuid });
    }
  }

  /**
   * At start-up, before the sync reports: every network with a port on this host is ensured again (a host
   * restart loses the VXLAN devices, flood entries and ARP filters; Docker keeps its networks), then networks
   * this host made that no port needs any more are removed when unused. Failures are logged, one network at a time.
   */
  async recover(ctx: RequestContext): Promise<void> {
    const wanted = await this.records.api.call('networksOnHost', ctx, {});
    for (const { network, peers } of wanted) {
      try {
        const local = await this.driver.ensureNetwork(networkSpecOf(network, peers));
        this.logger.info('network ensured at start-up', { networkUuid: network.uuid, endpoints: local.endpoints.length });
      } catch (err) {
        this.logger.warn('network not ensured at start-up', { networkUuid: network.uuid, error: errorText(err) });
      }
    }
    const ids = new Set(wanted.map((w) => w.network.uuid));
    for (const local of await this.driver.listNetworks()) {
      if (!ids.has(local.id)) await this.dropIfUnused(ctx, local.id);
    }
  }

  /** Holds `ids` (once each) for a create attempt; see {@link holds}. */
  private hold(ids: readonly string[]): string[] {
    const held = [...new Set(ids)];
    for (const id of held) this.holds.set(id, (this.holds.get(id) ?? 0) + 1);
    return held;
  }

  /** Lets go of an attempt's holds (emptying `held`, so twice is harmless), removing the unused networks when `drop`. */
  private async letGo(ctx: RequestContext, held: string[], drop: boolean): Promise<void> {
    const ids = held.splice(0);
    for (const id of ids) {
      const n = (this.holds.get(id) ?? 1) - 1;
      if (n > 0) this.holds.set(id, n);
      else this.holds.delete(id);
    }
    if (drop) for (const id of ids) await this.dropIfUnused(ctx, id);
  }

  /**
   * A network the container just left: removed when unused, at once without idle_network_timeout, else once the
   * timeout has passed since the last container left it (whatever uses it then keeps it).
   */
  private async dropWhenIdle(ctx: RequestContext, networkUuid: string): Promise<void> {
    const idleMs = this.opts.idleMs ?? 0;
    if (idleMs <= 0) return this.dropIfUnused(ctx, networkUuid);
    clearTimeout(this.idle.get(networkUuid));
    const timer = setTimeout(() => {
      this.idle.delete(networkUuid);
      void this.dropIfUnused(ctx, networkUuid);
    }, idleMs);
    timer.unref();
    this.idle.set(networkUuid, timer);
  }

  /**
   * Removes the network here when nothing uses it. The check of the holds and the driver call happen in one turn
   * of the event loop: the driver runs the calls of a network in order, so an ensure that comes later finds the
   * removal done and makes the network again.
   */
  private async dropIfUnused(ctx: RequestContext, networkUuid: string): Promise<void> {
    if (this.holds.has(networkUuid)) {
      this.logger.debug('network kept: a create on this host is using it', { networkUuid });
      return;
    }
    try {
      if (await this.driver.deleteNetworkIfUnused(networkUuid)) this.logger.debug('network not used here any more', { networkUuid });
    } catch (err) {
      this.logger.warn('unused network not removed', { requestId: ctx.requestId, networkUuid, error: errorText(err) });
    }
  }

  private async saveBound(ctx: RequestContext, b: PortBinding): Promise<void> {
    await this.records.api.call('portSave', ctx, { port_uuid: b.portId, patch: { status: 'bound', ...(b.macAddress ? { mac_address: b.macAddress } : {}) } });
  }

  /**
   * Saves the addresses of the ports plugged now (`ports`; null: unchanged) and clears `task` when the
   * container still holds it.
   */
  private async finish(ctx: RequestContext, c: Container, task: 'network_attaching' | 'network_detaching', ports: ContainerPortInfo[] | null): Promise<void> {
    const patch: HostContainerPatch = {};
    if (ports && c.container_id) {
      const id = c.container_id;
      patch.addresses = toZunAddresses(ports.filter((p) => p.port.status === 'bound' && p.port.fixed_ip).map((p) => recordedBinding(p, id)));
    }
    if (c.task_state === task) patch.task_state = null;
    if (!Object.keys(patch).length) return;
    await this.records.trySave(ctx, c.uuid, patch, { status: LIVE_STATUSES, ...(c.task_state === task ? { task_state: [task] } : {}) });
  }
}
