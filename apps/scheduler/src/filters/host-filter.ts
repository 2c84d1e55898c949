import { type ServiceIdentifier } from 'inversify';
import { type HostState, type ScheduleRequest } from '../host-state';

/** One pass/fail rule of the filter scheduler, chosen by name in `[scheduler] enabled_filters`. */
export interface HostFilter {
  /** As written in `[scheduler] enabled_filters`, e.g. `RamFilter`. */
  readonly name: string;
  /**
   * The answer cannot change between the containers of one request (zone, service state, labels), so a
   * request placing several containers may run it once; a single-container request runs every filter.
   */
  readonly runOncePerRequest: boolean;
  hostPasses(host: HostState, req: ScheduleRequest): boolean;
  /** Why `host` fails `req`, for the scheduler's log; only filters with more than one way to fail need it. */
  rejectReason?(host: HostState, req: ScheduleRequest): string;
}

/** Inversify token every host filter is bound to; FilterScheduler receives them all with `@multiInject`. */
export const HOST_FILTER: ServiceIdentifier<HostFilter> = Symbol.for('zun.scheduler.HostFilter');

// Float sums of fractional cpus (0.1 + 0.2 …) must not reject an exact fit.
const EPSILON = 1e-9;

/**
 * Nova's overcommit rule: `usable = total × ratio − used`; a request fits when it is ≤ usable.
 * A missing or zero request always fits.
 */
export function fitsCapacity(requested: number | null, total: number, ratio: number, used: number): boolean {
  if (!requested) return true;
  return requested <= total * ratio - used + EPSILON;
}
