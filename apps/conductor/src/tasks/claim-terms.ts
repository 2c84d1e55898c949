import { type ClaimLimits, type ClaimResources } from '@zun-ts/db';
import { type ZunConf } from '@zun-ts/config';
import { type Container, memoryMiBOf } from '@zun-ts/objects';
import { type BuildContainerRequest, type SelectDestinationsRequest } from '@zun-ts/rpc';

/** What the scheduler is asked for the container: `ignoreHosts` tried (or refused) already, `volumeHosts` holding its volumes. */
export function selectRequestOf(c: Container, req: BuildContainerRequest, ignoreHosts: string[], volumeHosts: string[]): SelectDestinationsRequest {
  return {
    container_uuid: c.uuid,
    cpu: c.cpu,
    memory: memoryMiBOf(c.memory),
    disk: c.disk || null,
    runtime: c.runtime,
    cpu_policy: c.cpu_policy,
    hints: req.hints ?? {},
    availability_zone: req.availability_zone,
    requested_host: req.requested_host,
    ignore_hosts: ignoreHosts,
    volume_hosts: volumeHosts,
  };
}

/** What the container asks of a host. */
export function claimResources(c: Pick<Container, 'cpu' | 'memory' | 'disk'>): ClaimResources {
  return { cpu: c.cpu ?? 0, memory: memoryMiBOf(c.memory) ?? 0, disk: c.disk ?? 0 };
}

/**
 * The allocation ratios a claim enforces: those of the enabled resource filters only, so that a
 * resource the operator does not schedule on is not refused at claim time either (Zun: a filter
 * that did not run wrote no limit, and a missing limit is unlimited).
 */
export function claimLimits(s: ZunConf['scheduler']): ClaimLimits {
  const on = (name: string): boolean => s.enabled_filters.includes(name);
  return {
    cpuRatio: on('CPUFilter') ? s.cpu_allocation_ratio : null,
    ramRatio: on('RamFilter') ? s.ram_allocation_ratio : null,
    diskRatio: on('DiskFilter') ? s.disk_allocation_ratio : null,
  };
}
