import { type ServiceIdentifier } from 'inversify';
import { type Network, type NetworkPort } from '@zun-ts/objects';
import { type PageOptions } from './pagination';

/** Which networks a caller sees: its project's and the shared ones, or every network (admin `all_projects`). */
export interface NetworkScope {
  projectId: string | null;
  allProjects: boolean;
}

/** A new network; `segmentation_id` and `subnet_id` are allocated by the repository when absent. */
export type NewNetwork = Pick<Network, 'uuid' | 'name' | 'project_id' | 'cidr' | 'gateway'> &
  Partial<Pick<Network, 'user_id' | 'shared' | 'nat_egress' | 'subnet_id' | 'segmentation_id' | 'driver'>>;

/** Where the default networks of projects are carved from: `/prefix` subnets of `pool`, lowest free first. */
export interface DefaultNetworkPool {
  /** e.g. `10.200.0.0/16`. */
  pool: string;
  /** e.g. 24. */
  prefix: number;
}

/**
 * A port a container create asks for, before any row exists: one per requested network, in request order
 * (device_index = position). `requested_ip` is checked against the subnet by the API; whether it is free is
 * decided when the address is allocated.
 */
export interface PlannedPort {
  port_uuid: string;
  network_uuid: string;
  requested_ip: string | null;
}

/** Every port of a new container, written (status `pending`, no address) in the container create's transaction. */
export interface PortPlan {
  ports: PlannedPort[];
}

/** A port with its network, as a compute host needs it. */
export interface PortWithNetwork {
  port: NetworkPort;
  network: Network;
}

/**
 * Networks and ports (tables `network`, `network_port`).
 *
 * Address allocation is race-free across API and conductor replicas: a unique index on (network_uuid,
 * fixed_ip) and one transaction per allocation that picks the lowest free host address of the subnet
 * (never the network, broadcast or gateway address). Two concurrent allocations never get one address; a
 * network with no free address left fails the allocation with NetworkExhausted (409), a requested address
 * that is taken with IpAddressInUse (409).
 */
export interface NetworkRepository {
  /**
   * Inserts a network. Allocates `segmentation_id` (lowest free from 1) and `subnet_id` (a uuid) when absent.
   * The CIDR may not overlap any other network of the cloud: NetworkCidrConflict (409) names the one it does.
   */
  create(network: NewNetwork): Promise<Network>;
  /**
   * The project's default network, made when it has none: name `default`, the lowest free `/prefix` of the
   * pool not overlapping any network, gateway the first host address, nat_egress. Racing callers of one
   * project get the same network (a unique index holds at most one default per project). NetworkExhausted
   * when the pool has no free subnet.
   */
  ensureDefault(projectId: string, userId: string | null, pool: DefaultNetworkPool): Promise<Network>;
  /** In scope: the project's own and shared networks. Throws NetworkNotFound ("Network X could not be found."). */
  getByUuid(scope: NetworkScope, uuid: string): Promise<Network>;
  /** Throws NetworkNotFound, or Conflict (409) when several networks in scope share the name. */
  getByName(scope: NetworkScope, name: string): Promise<Network>;
  /** By uuid when `ident` looks like a uuid, else by name. */
  getByIdent(scope: NetworkScope, ident: string): Promise<Network>;
  list(scope: NetworkScope, opts?: PageOptions): Promise<Network[]>;
  /** Deletes the network when no port uses it; NetworkInUse (409) otherwise; absent → fine. */
  destroy(uuid: string): Promise<void>;

  /** The container's ports with their networks, by device_index. */
  portsOf(containerUuid: string): Promise<PortWithNetwork[]>;
  /**
   * Gives every `pending` port of the container an address (its requested one, or the lowest free), sets
   * `host` and status `allocated`, in one transaction. Ports already allocated keep their address (idempotent).
   * NetworkExhausted / IpAddressInUse (409) allocate nothing.
   */
  allocatePorts(containerUuid: string, host: string): Promise<PortWithNetwork[]>;
  /**
   * A new port of an existing container (network-attach), allocated at once (requested address or lowest free)
   * on `host`, with the next device_index. Throws NetworkExhausted, IpAddressInUse, and Conflict (409) when the
   * container is on that network already.
   */
  addPort(port: { port_uuid: string; container_uuid: string; project_id: string | null; network_uuid: string; requested_ip: string | null; host: string | null }): Promise<PortWithNetwork>;
  /** One port, whatever its container. Throws PortNotFound ("Port X could not be found."). */
  getPort(portUuid: string): Promise<NetworkPort>;
  /** Sets fields of a port (mac_address, status, host). Throws PortNotFound. */
  updatePort(portUuid: string, patch: Partial<Pick<NetworkPort, 'mac_address' | 'status' | 'host'>>): Promise<NetworkPort>;
  /** Deletes one port (idempotent). */
  deletePort(portUuid: string): Promise<void>;
  /** Deletes every port of the container (idempotent); returns the networks they were on. */
  releasePorts(containerUuid: string): Promise<Network[]>;
  /** The underlay addresses of the hosts (other than `exceptHost`) that have a port on the network. */
  peersOf(networkUuid: string, exceptHost: string | null): Promise<string[]>;
  /** The hosts that have a port on the network. */
  hostsOf(networkUuid: string): Promise<string[]>;
  /** Every network with a port on `host`. */
  networksOnHost(host: string): Promise<Network[]>;
}

/** Injection token of the {@link NetworkRepository}. */
export const NETWORK_REPOSITORY: ServiceIdentifier<NetworkRepository> = Symbol.for('zun.NetworkRepository');
