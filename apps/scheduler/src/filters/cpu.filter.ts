import { inject, injectable } from 'inversify';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import { type HostState, type ScheduleRequest } from '../host-state';
import { fitsCapacity, type HostFilter } from './host-filter';

/** `cpu ≤ cpus × cpu_allocation_ratio − cpu_used` (fractional cores, as requested). */
@injectable()
export class CPUFilter implements HostFilter {
  readonly name = 'CPUFilter';
  readonly runOncePerRequest = false;

  constructor(@inject(ZUN_CONF) private readonly conf: Pick<ZunConf, 'scheduler'>) {}

  hostPasses(host: HostState, req: ScheduleRequest): boolean {
    return fitsCapacity(req.cpu, host.cpus, this.conf.scheduler.cpu_allocation_ratio, host.cpu_used);
  }
}
