import { type SchedulableNode } from '@zun-ts/db';
import { COMPUTE_BINARY, type ZunService } from '@zun-ts/objects';
import { type HostState, type ScheduleRequest } from '@zun-ts/plugin-api';

/** HostState and ScheduleRequest are part of the plug-in contract (@zun-ts/plugin-api). */
export type { HostState, ScheduleRequest } from '@zun-ts/plugin-api';

/** Build a host state; `defaultAvailabilityZone` is `[DEFAULT] default_availability_zone`. */
export function hostStateFrom(node: SchedulableNode, service: ZunService, defaultAvailabilityZone: string): HostState {
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
export function hostStatesFrom(nodes: readonly SchedulableNode[], services: readonly ZunService[], defaultAvailabilityZone: string): HostState[] {
  const byHost = new Map(services.filter((s) => s.binary === COMPUTE_BINARY).map((s) => [s.host, s]));
  const states: HostState[] = [];
  for (const node of nodes) {
    const service = byHost.get(node.hostname);
    if (service) states.push(hostStateFrom(node, service, defaultAvailabilityZone));
  }
  return states;
}

/**
 * `host` once `req`'s container is placed on it, as Nova's `consume_from_request`: its cpu, memory and disk counted
 * as used and one container more. A new state: `host` is left as it is (the states of one read are shared by every
 * request of that read), so only the decisions of one batch see what the earlier ones took. The claim, not this, is
 * what keeps a host from being overcommitted.
 */
export function consumedBy(host: HostState, req: Pick<ScheduleRequest, 'cpu' | 'memory' | 'disk'>): HostState {
  const memory = req.memory ?? 0;
  return {
    ...host,
    mem_used: host.mem_used + memory,
    free_mem: host.free_mem - memory,
    cpu_used: host.cpu_used + (req.cpu ?? 0),
    disk_used: host.disk_used + (req.disk ?? 0),
    total_containers: host.total_containers + 1,
  };
}
