import { injectable } from 'inversify';
import { type HostState, type ScheduleRequest } from '../host-state';
import { type HostFilter } from './host-filter';

/** A container asking for a runtime (e.g. `kata`) only goes to hosts whose docker offers it. */
@injectable()
export class RuntimeFilter implements HostFilter {
  readonly name = 'RuntimeFilter';
  readonly runOncePerRequest = true;

  hostPasses(host: HostState, req: ScheduleRequest): boolean {
    return !req.runtime || host.runtimes.includes(req.runtime);
  }
}
