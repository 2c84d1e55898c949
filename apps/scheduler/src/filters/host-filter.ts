import { type ServiceIdentifier } from 'inversify';
import { type HostFilter } from '@zun-ts/plugin-api';

/** The filter contract is part of the plug-in contract (@zun-ts/plugin-api). */
export type { HostFilter } from '@zun-ts/plugin-api';

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
