import { field, type JsonObject, type ObjectDef } from './fields';

/**
 * A compute host as the scheduler sees it; the compute service reports it, the conductor claims against it.
 * The stored row is updated concurrently, so writers use conditional UPDATEs (see libs/db), not whole-object saves.
 */
export interface ComputeNode {
  id: number;
  uuid: string;
  /** Unique; equals the `host` of the host's `zun-compute` service. */
  hostname: string;
  /** MiB. */
  mem_total: number;
  mem_free: number;
  mem_available: number;
  /** MiB claimed by containers on the host. */
  mem_used: number;
  total_containers: number;
  running_containers: number;
  paused_containers: number;
  stopped_containers: number;
  cpus: number;
  /** Sum of the cpu of the containers on the host. */
  cpu_used: number;
  /** GiB available to containers. */
  disk_total: number;
  disk_used: number;
  disk_quota_supported: boolean;
  enable_cpu_pinning: boolean;
  architecture: string | null;
  os_type: string | null;
  os: string | null;
  kernel_version: string | null;
  /** Docker daemon labels. */
  labels: Record<string, string> | null;
  /** Container runtimes docker offers, e.g. `["runc"]`. */
  runtimes: string[] | null;
  numa_topology: JsonObject | null;
  /** The host's address on the underlay network that carries project networks (`[network] underlay_ip`); null when unset. */
  underlay_ip: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial; 1.1 underlay_ip. */
export const ComputeNodeObject: ObjectDef<ComputeNode, 'ComputeNode'> = {
  name: 'ComputeNode',
  VERSION: '1.1',
  fields: {
    id: field.integer(),
    uuid: field.string(),
    hostname: field.string(),
    mem_total: field.integer({ default: 0 }),
    mem_free: field.integer({ default: 0 }),
    mem_available: field.integer({ default: 0 }),
    mem_used: field.integer({ default: 0 }),
    total_containers: field.integer({ default: 0 }),
    running_containers: field.integer({ default: 0 }),
    paused_containers: field.integer({ default: 0 }),
    stopped_containers: field.integer({ default: 0 }),
    cpus: field.integer({ default: 0 }),
    cpu_used: field.float({ default: 0 }),
    disk_total: field.integer({ default: 0 }),
    disk_used: field.integer({ default: 0 }),
    disk_quota_supported: field.boolean({ default: false }),
    enable_cpu_pinning: field.boolean({ default: false }),
    architecture: field.string({ nullable: true }),
    os_type: field.string({ nullable: true }),
    os: field.string({ nullable: true }),
    kernel_version: field.string({ nullable: true }),
    labels: field.dict({ nullable: true }),
    runtimes: field.list({ nullable: true }),
    numa_topology: field.dict({ nullable: true }),
    underlay_ip: field.string({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};
