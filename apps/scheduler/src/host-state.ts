import { COMPUTE_BINARY, type ComputeNode, type ZunService } from '@zun-ts/objects';
import { type HostState } from '@zun-ts/plugin-api';

/** HostState and ScheduleRequest are part of the plug-in contract (@zun-ts/plugin-api). */
export type { HostState, ScheduleRequest } from '@zun-ts/plugin-api';

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
