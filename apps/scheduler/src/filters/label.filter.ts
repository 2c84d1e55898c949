import { injectable } from 'inversify';
import { type HostState, type ScheduleRequest } from '../host-state';
import { type HostFilter } from './host-filter';

const LABEL_HINT = 'label:';

/**
 * Every hint `label:<key>` = `<value>` (the client's `--hint label:<key>=<value>`) must equal the host's
 * docker label `<key>`; other hints are ignored.
 */
@injectable()
export class LabelFilter implements HostFilter {
  readonly name = 'LabelFilter';
  readonly runOncePerRequest = true;

  hostPasses(host: HostState, req: ScheduleRequest): boolean {
    for (const [hint, value] of Object.entries(req.hints)) {
      if (!hint.startsWith(LABEL_HINT)) continue;
      const key = hint.slice(LABEL_HINT.length);
      if (!Object.hasOwn(host.labels, key) || host.labels[key] !== value) return false;
    }
    return true;
  }
}
