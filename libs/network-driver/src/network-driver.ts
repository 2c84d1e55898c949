import { type ServiceIdentifier } from 'inversify';
import { type ContainerAddress } from '@zun-ts/objects';

/**
 * What a compute host needs to know to make one project network exist locally. The record lives in the
 * database; the conductor hands it to the host. The driver never allocates anything (no addresses, no
 * segmentation ids): it only realises what it is given, and it may be given the same thing twice.
 */
export interface NetworkSpec {
  /** Zun's network uuid; the key of `addresses`. */
  id: string;
  /** Display name (kept in the engine's labels only). */
  name: string;
  /** Owner project. A shared network has an owner too; other projects may attach to it. */
  projectId: string;
  /** IPv4 subnet, e.g. `10.210.3.0/24`. Unique across the cloud for the VXLAN driver (see ADR 0007). */
  cidr: string;
  /** The subnet's gateway address; every host of the network holds it for local egress. */
  gateway: string;
  /** Zun's subnet id for `addresses[].subnet_id` (one IPv4 subnet per network for now). */
  subnetId: string;
  /** Admin-shared network (Neutron's `shared`): every project may attach to it. */
  shared: boolean;
  /** Containers reach the outside through the host's NAT; false makes the network internal. */
  natEgress: boolean;
  /**
   * The network's segment on the wire: the VXLAN network identifier (1..16777215) for the VXLAN driver,
   * a Neutron segmentation id for a Neutron driver (informational there). Allocated centrally.
   */
  segmentationId: number;
  /** Underlay (host-to-host) addresses of the other hosts that have this network; this host's own is ignored. */
  peers: readonly string[];
  /** Driver-specific extras (e.g. `neutron_network_id`); the VXLAN driver ignores unknown keys. */
  driverData?: Readonly<Record<string, string | number | boolean>>;
}

/** One NIC of a container on a network, as the database keeps it (Neutron's port). */
export interface PortSpec {
  /** Zun's port uuid (`addresses[].port`). */
  id: string;
  networkId: string;
  /** The address the conductor allocated in the network's subnet. */
  fixedIp: string;
  /** Keep the port when the container is deleted (Zun's `preserve_on_delete`, a user-supplied port). */
  preserveOnDelete: boolean;
  /** A MAC address to use; the engine picks one when absent. */
  macAddress?: string;
}

/** A port as it is plugged on this host. */
export interface PortBinding {
  portId: string;
  networkId: string;
  subnetId: string;
  /** The engine's container id. */
  containerId: string;
  ip: string;
  version: 4 | 6;
  macAddress: string;
  preserveOnDelete: boolean;
}

/** A container endpoint the driver finds on a local network (from the engine, without the database). */
export interface LocalEndpoint {
  containerId: string;
  /** The engine's container name (`zun-<uuid>` for Zun's containers). */
  containerName: string;
  ip: string;
  macAddress: string;
}

/** What exists on this host for one network: the basis for state sync after a restart. */
export interface LocalNetwork {
  id: string;
  projectId: string;
  cidr: string;
  gateway: string;
  segmentationId: number;
  natEgress: boolean;
  shared: boolean;
  /** Peers the data plane floods to now. */
  peers: string[];
  endpoints: LocalEndpoint[];
  /** Empty when every piece is in place; otherwise what is missing or wrong (ensure again to repair). */
  problems: string[];
}

/** How a container joins its first network at create time (the engine's create options). */
export interface CreateNetworking {
  /** `HostConfig.NetworkMode`. */
  networkMode: string;
  /** `NetworkingConfig.EndpointsConfig`. */
  endpointsConfig: Record<string, { IPAMConfig: { IPv4Address: string }; MacAddress?: string }>;
}

/**
 * The network side of a compute host. Every method is idempotent: the RPC bus delivers at least once, so
 * a repeated call with the same arguments succeeds and changes nothing. No method touches the database.
 */
export interface NetworkDriver {
  /** Short name of the mechanism (`vxlan`, later `neutron`). */
  readonly kind: string;

  /** Make the network exist here as `spec` says: create what is missing, repair what differs, set the peers. */
  ensureNetwork(spec: NetworkSpec): Promise<LocalNetwork>;

  /** Replace the network's peer list (a host joined or left). The network must exist here. */
  updatePeers(networkId: string, peers: readonly string[]): Promise<void>;

  /** The create options that plug `port` at `docker create` (the first network of a container). */
  createNetworking(port: PortSpec): CreateNetworking;

  /**
   * Plug a port into an existing container with its fixed address. Already plugged with that address: the
   * binding is returned. Plugged with another address: {@link PortConflict}.
   */
  connect(containerId: string, port: PortSpec): Promise<PortBinding>;

  /** The binding of a port plugged at create time (reads the engine; nothing changes). */
  describePort(containerId: string, port: PortSpec): Promise<PortBinding>;

  /** Unplug the container from the network; not plugged, or no such container: nothing to do. */
  disconnect(containerId: string, networkId: string): Promise<void>;

  /**
   * Remove the network from this host when no container uses it: true when it is gone (or was never
   * here), false when containers are still attached (nothing is removed then).
   */
  deleteNetworkIfUnused(networkId: string): Promise<boolean>;

  /** The networks this driver made on this host, with their endpoints and any damage. */
  listNetworks(): Promise<LocalNetwork[]>;
}

/** Injection token of the compute host's {@link NetworkDriver}. */
export const NETWORK_DRIVER: ServiceIdentifier<NetworkDriver> = Symbol.for('zun.NetworkDriver');

/** One entry of `addresses` for a binding. */
export function toZunAddress(b: PortBinding): ContainerAddress {
  return { addr: b.ip, version: b.version, port: b.portId, subnet_id: b.subnetId, preserve_on_delete: b.preserveOnDelete };
}

/** Zun's `addresses` (keyed by network id) for a container's bindings, in the given order. */
export function toZunAddresses(bindings: readonly PortBinding[]): Record<string, ContainerAddress[]> {
  const out: Record<string, ContainerAddress[]> = {};
  for (const b of bindings) (out[b.networkId] ??= []).push(toZunAddress(b));
  return out;
}
