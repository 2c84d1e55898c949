import { injectable } from 'inversify';
import { type HostState, type ScheduleRequest } from '../host-state';
import { fitsCapacity, type HostFilter } from './host-filter';

/**
 * Keeps pinned and shared containers apart: `cpu_policy` `dedicated` needs a host with cpu pinning
 * enabled and that many unclaimed cores (pinned cores are not overcommitted); `shared` (or none) never
 * lands on a pinning host. Unlike Zun, cores are counted per host, not per NUMA node.
 */
@injectable()
export class CpuSetFilter implements HostFilter {
  readonly name = 'CpuSetFilter';
  readonly runOncePerRequest = false;

  hostPasses(host: HostState, req: ScheduleRequest): boolean {
    if (req.cpu_policy !== 'dedicated') return !host.enable_cpu_pinning;
    return host.enable_cpu_pinning && fitsCapacity(req.cpu, host.cpus, 1, host.cpu_used);
  }
}
