import { injectable } from 'inversify';
import { type HostState, type ScheduleRequest } from '../host-state';
import { type HostFilter } from './host-filter';

/**
 * A request naming a zone only goes to hosts of that zone; without one any zone does. The host's zone
 * is its service's, or `[DEFAULT] default_availability_zone` (resolved when the host state is built).
 */
@injectable()
export class AvailabilityZoneFilter implements HostFilter {
  readonly name = 'AvailabilityZoneFilter';
  readonly runOncePerRequest = true;

  hostPasses(host: HostState, req: ScheduleRequest): boolean {
    return !req.availability_zone || host.availability_zone === req.availability_zone;
  }
}
