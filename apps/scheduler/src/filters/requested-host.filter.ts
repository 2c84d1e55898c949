import { type HostState, type ScheduleRequest } from '../host-state';
import { type HostFilter } from './host-filter';

/**
 * Run by FilterScheduler itself, before the configured filters, whenever a request names a host
 * (API 1.39 `host`): only that host remains. Not selectable in `enabled_filters`.
 */
export class RequestedHostFilter implements HostFilter {
  readonly name = 'RequestedHostFilter';
  readonly runOncePerRequest = true;

  hostPasses(host: HostState, req: ScheduleRequest): boolean {
    return !req.requested_host || host.hostname === req.requested_host;
  }
}
