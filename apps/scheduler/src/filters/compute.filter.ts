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
  /** The request of the decision being filtered, and the time read for it. */
  private clockFor: ScheduleRequest | null = null;
  private clockNow = 0;

  constructor(@inject(ZUN_CONF) private readonly conf: Pick<ZunConf, 'DEFAULT'>) {}

  hostPasses(host: HostState, req: ScheduleRequest): boolean {
    return !host.service.disabled && isServiceUp(host.service, this.conf.DEFAULT.service_down_time, this.now(req));
  }

  /**
   * One clock read per decision, not per host: every decision has a ScheduleRequest of its own (the scheduler builds
   * one per request), and all its hosts are filtered before the next decision starts.
   */
  private now(req: ScheduleRequest): number {
    if (req !== this.clockFor) {
      this.clockFor = req;
      this.clockNow = Date.now();
    }
    return this.clockNow;
  }
}
