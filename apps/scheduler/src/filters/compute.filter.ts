import { inject, injectable } from 'inversify';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import { isServiceUp } from '@zun-ts/objects';
import { type HostState, type ScheduleRequest } from '../host-state';
import { type HostFilter } from './host-filter';

/** The host's zun-compute service is enabled and up (heartbeat within `service_down_time`, not forced down). */
@injectable()
export class ComputeFilter implements HostFilter {
  readonly name = 'ComputeFilter';
  readonly runOncePerRequest = true;

  constructor(@inject(ZUN_CONF) private readonly conf: Pick<ZunConf, 'DEFAULT'>) {}

  hostPasses(host: HostState, _req: ScheduleRequest): boolean {
    return !host.service.disabled && isServiceUp(host.service, this.conf.DEFAULT.service_down_time);
  }
}
