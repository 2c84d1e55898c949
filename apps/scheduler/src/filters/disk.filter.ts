import { inject, injectable } from 'inversify';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import { type HostState, type ScheduleRequest } from '../host-state';
import { fitsCapacity, type HostFilter } from './host-filter';

/**
 * `disk ≤ disk_total × disk_allocation_ratio − disk_used` (GiB). A disk request also needs a host whose
 * docker storage driver enforces disk quotas: elsewhere the size could not be honoured.
 */
@injectable()
export class DiskFilter implements HostFilter {
  readonly name = 'DiskFilter';
  readonly runOncePerRequest = false;

  constructor(@inject(ZUN_CONF) private readonly conf: Pick<ZunConf, 'scheduler'>) {}

  hostPasses(host: HostState, req: ScheduleRequest): boolean {
    if (!req.disk) return true;
    return host.disk_quota_supported &&
      fitsCapacity(req.disk, host.disk_total, this.conf.scheduler.disk_allocation_ratio, host.disk_used);
  }

  rejectReason(host: HostState, req: ScheduleRequest): string {
    if (!host.disk_quota_supported) return `disk ${req.disk} GiB requested but the host's Docker storage cannot enforce a disk size (disk_quota_supported false)`;
    const free = host.disk_total * this.conf.scheduler.disk_allocation_ratio - host.disk_used;
    return `disk ${req.disk} GiB requested, ${Math.max(0, Math.floor(free))} GiB usable`;
  }
}
