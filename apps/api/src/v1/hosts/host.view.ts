import { type ComputeNode } from '@zun-ts/objects';
import { selfAndBookmark } from '../../http/links';

/** The host view, fields in the order Zun emits them. */
export function hostView(h: ComputeNode, hostUrl: string): Record<string, unknown> {
  return {
    uuid: h.uuid,
    links: selfAndBookmark(hostUrl, 'hosts', h.uuid),
    hostname: h.hostname,
    mem_total: h.mem_total,
    mem_used: h.mem_used,
    total_containers: h.total_containers,
    cpus: h.cpus,
    cpu_used: h.cpu_used,
    architecture: h.architecture,
    os_type: h.os_type,
    os: h.os,
    kernel_version: h.kernel_version,
    labels: h.labels,
    disk_total: h.disk_total,
    disk_used: h.disk_used,
    disk_quota_supported: h.disk_quota_supported,
    runtimes: h.runtimes,
    enable_cpu_pinning: h.enable_cpu_pinning,
  };
}
