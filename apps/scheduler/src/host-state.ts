import { COMPUTE_BINARY, type ComputeNode, type CpuPolicy, type ZunService } from '@zun-ts/objects';

/**
 * One compute host as the filters see it: a snapshot of its ComputeNode row joined with its
 * `zun-compute` service row. Memory in MiB, disk in GiB, cpu in cores.
 */
export interface HostState {
  readonly hostname: string;
  readonly uuid: string;
  readonly mem_total: number;
  /** MiB claimed by the containers on the host. */
  readonly mem_used: number;
  /** MiB not claimed yet (mem_total − mem_used), without overcommit; what the weigher ranks by. */
  readonly free_mem: number;
  readonly cpus: number;
  readonly cpu_used: number;
  readonly disk_total: number;
  readonly disk_used: number;
  /** Whether docker's storage driver can cap a container's disk; a disk request needs it. */
  readonly disk_quota_supported: boolean;
  readonly total_containers: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly runtimes: readonly string[];
  /** The service's zone, or `[DEFAULT] default_availability_zone` when it has none. */
  readonly availability_zone: string;
  readonly enable_cpu_pinning: boolean;
  /** The host's `zun-compute` service row (disabled, forced_down and heartbeats decide ComputeFilter). */
  readonly service: Readonly<ZunService>;
}

/** What the filters check a host against: one container's needs and where it may go. */
export interface ScheduleRequest {
  /** Cores (fractional); null or 0: no cpu request. */
  cpu: number | null;
  /** MiB; null or 0: no memory request. */
  memory: number | null;
  /** GiB; null or 0: no disk request. */
  disk: number | null;
  /** Container runtime asked for (admin only); null: the host's default. */
  runtime: string | null;
  /** Free-form scheduler hints; only `label:<key>` keys are read (LabelFilter wants host label key = value). */
  hints: Record<string, string>;
  availability_zone: string | null;
  /** Host asked for by an admin (API 1.39 `host`); null: any host. */
  requested_host: string | null;
  /** null means `shared`. */
  cpu_policy: CpuPolicy | null;
  /** Hosts already tried for this container (rescheduling after a failed claim or create). */
  ignore_hosts: string[];
  /**
   * Hosts holding the backing stores of the container's volumes (VolumeHostFilter): empty, no constraint; one
   * host (however often listed), only that host; different hosts, none.
   */
  volume_hosts: string[];
}

/** Build a host state; `defaultAvailabilityZone` is `[DEFAULT] default_availability_zone`. */
export function hostStateFrom(node: ComputeNode, service: ZunService, defaultAvailabilityZone: string): HostState {
  return {
    hostname: node.hostname,
    uuid: node.uuid,
    mem_total: node.mem_total,
    mem_used: node.mem_used,
    free_mem: node.mem_total - node.mem_used,
    cpus: node.cpus,
    cpu_used: node.cpu_used,
    disk_total: node.disk_total,
    disk_used: node.disk_used,
    disk_quota_supported: node.disk_quota_supported,
    total_containers: node.total_containers,
    labels: { ...(node.labels ?? {}) },
    runtimes: [...(node.runtimes ?? [])],
    availability_zone: service.availability_zone ?? defaultAvailabilityZone,
    enable_cpu_pinning: node.enable_cpu_pinning,
    service: { ...service },
  };
}

/**
 * Host states for every compute node that has a `zun-compute` service row (nodes without one are
 * not schedulable, as in Zun), in the nodes' order.
 */
export function hostStatesFrom(nodes: readonly ComputeNode[], services: readonly ZunService[], defaultAvailabilityZone: string): HostState[] {
  const byHost = new Map(services.filter((s) => s.binary === COMPUTE_BINARY).map((s) => [s.host, s]));
  const states: HostState[] = [];
  for (const node of nodes) {
    const service = byHost.get(node.hostname);
    if (service) states.push(hostStateFrom(node, service, defaultAvailabilityZone));
  }
  return states;
}
