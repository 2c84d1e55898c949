import { type HostState, type ScheduleRequest } from '../host-state';
import { type HostFilter } from './host-filter';

/**
 * A container whose volumes already have a backing store goes to the host holding them (`volume_hosts`): a
 * local volume can be mounted only there. Volumes on two different hosts leave no host at all.
 *
 * A correctness rule, not a placement preference, so it is ALWAYS applied: FilterScheduler runs it itself,
 * after RequestedHostFilter and before the configured filters, for every request that names volume hosts (it
 * would pass every host of a request naming none). It is not subject to `[scheduler] enabled_filters`, is not in
 * AVAILABLE_HOST_FILTERS, and naming it there is refused at start like any unknown filter.
 */
export class VolumeHostFilter implements HostFilter {
  readonly name = 'VolumeHostFilter';
  readonly runOncePerRequest = true;

  hostPasses(host: HostState, req: ScheduleRequest): boolean {
    const hosts = new Set(req.volume_hosts);
    return hosts.size === 0 || (hosts.size === 1 && hosts.has(host.hostname));
  }

  rejectReason(_host: HostState, req: ScheduleRequest): string {
    const hosts = [...new Set(req.volume_hosts)];
    return hosts.length > 1
      ? `the container's volumes are on different hosts (${hosts.join(', ')}); no host can mount them all`
      : `the container's volumes are on host ${String(hosts[0])}`;
  }
}
