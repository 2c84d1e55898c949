import { type ClaimLimits, type ClaimResources } from '@zun-ts/db';
import { type ZunConf } from '@zun-ts/config';
import { type Container, memoryMiBOf } from '@zun-ts/objects';

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
