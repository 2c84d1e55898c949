import { inject, injectable } from 'inversify';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import { type HostState, type ScheduleRequest } from '../host-state';
import { fitsCapacity, type HostFilter } from './host-filter';

/** `memory ≤ mem_total × ram_allocation_ratio − mem_used` (MiB). */
@injectable()
export class RamFilter implements HostFilter {
  readonly name = 'RamFilter';
  readonly runOncePerRequest = false;

  constructor(@inject(ZUN_CONF) private readonly conf: Pick<ZunConf, 'scheduler'>) {}

  hostPasses(host: HostState, req: ScheduleRequest): boolean {
    return fitsCapacity(req.memory, host.mem_total, this.conf.scheduler.ram_allocation_ratio, host.mem_used);
  }
}
