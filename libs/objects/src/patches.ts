import { type ComputeNode } from './compute-node.object';
import { type Container } from './container.object';

/** Fields an update of a container record may set (undefined fields are left alone). */
export type ContainerPatch = Partial<Omit<Container, 'id' | 'uuid' | 'created_at'>>;

/**
 * The container fields a compute host may write through the conductor: the engine's view of the container
 * (state, ids, addresses, the config the image filled in) and its console session. Never the owner, the
 * host, the requested resources' claim or the name. The conductor's RPC schema accepts only these.
 */
export const HOST_WRITABLE_CONTAINER_FIELDS = [
  'status', 'status_reason', 'status_detail', 'task_state', 'container_id', 'hostname', 'addresses', 'ports', 'started_at',
  'command', 'entrypoint', 'workdir', 'image', 'cpu', 'memory', 'websocket_url', 'websocket_token', 'labels', 'environment',
  'runtime', 'image_driver', 'published_ports',
] as const satisfies readonly (keyof ContainerPatch)[];

/** A patch a compute host may send (see {@link HOST_WRITABLE_CONTAINER_FIELDS}). */
export type HostContainerPatch = Partial<Pick<Container, (typeof HOST_WRITABLE_CONTAINER_FIELDS)[number]>>;

/** Fields the compute host reports about itself (never the claim counters `*_used`, `total_containers`). */
export const INVENTORY_FIELDS = [
  'mem_total', 'mem_free', 'mem_available', 'cpus', 'disk_total', 'architecture', 'os', 'os_type', 'kernel_version', 'labels',
  'runtimes', 'disk_quota_supported', 'enable_cpu_pinning', 'numa_topology', 'running_containers', 'paused_containers',
  'stopped_containers', 'underlay_ip',
] as const satisfies readonly (keyof ComputeNode)[];

/** A compute host's inventory report; absent fields keep their stored value (or default). */
export type ComputeNodeInventory = Partial<Pick<ComputeNode, (typeof INVENTORY_FIELDS)[number]>>;
