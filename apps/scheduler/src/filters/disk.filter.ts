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
}
