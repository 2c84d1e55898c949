import { type ServiceIdentifier } from 'inversify';
import { type HostState, type HostWeigher, type ScheduleRequest } from '@zun-ts/plugin-api';

/** The weigher contract is part of the plug-in contract (@zun-ts/plugin-api). */
export type { HostWeigher } from '@zun-ts/plugin-api';

/** Inversify token every weigher is bound to; FilterScheduler picks those `[scheduler] enabled_weighers` names. */
export const HOST_WEIGHER: ServiceIdentifier<HostWeigher> = Symbol.for('zun.scheduler.HostWeigher');

/** Spreads containers: the host with the most unclaimed memory first. */
export class RamWeigher implements HostWeigher {
  readonly name = 'RamWeigher';

  weigh(host: HostState): number {
    return host.free_mem;
  }
}

/** A weigher with its multiplier from `[scheduler] weight_multipliers`. */
export interface WeigherInUse {
  readonly weigher: HostWeigher;
  readonly multiplier: number;
}

/**
 * Nova's weighing: each weigher's raw numbers are scaled to 0…1 over the candidates (all equal: all 0), multiplied
 * by the weigher's multiplier and summed per host.
 */
export function hostWeights(hosts: readonly HostState[], weighers: readonly WeigherInUse[], req: ScheduleRequest | null): number[] {
  const totals = hosts.map(() => 0);
  for (const { weigher, multiplier } of weighers) {
    const raw = hosts.map((h) => weigher.weigh(h, req as ScheduleRequest));
    const min = Math.min(...raw);
    const max = Math.max(...raw);
    if (!(max > min)) continue;
    raw.forEach((w, i) => {
      totals[i] = (totals[i] ?? 0) + (multiplier * (w - min)) / (max - min);
    });
  }
  return totals;
}

/**
 * Hosts by descending weight; equal weights come in random order, so concurrent requests facing
 * identical hosts do not all race for the same one. `random` returns [0, 1) like Math.random.
 * `weighers` is one weigher (multiplier 1) or the weighers in use.
 */
export function orderByWeight(
  hosts: readonly HostState[],
  weighers: HostWeigher | readonly WeigherInUse[],
  random: () => number = Math.random,
  req: ScheduleRequest | null = null,
): HostState[] {
  const shuffled = [...hosts];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = shuffled[i] as HostState;
    shuffled[i] = shuffled[j] as HostState;
    shuffled[j] = a;
  }
  const inUse: readonly WeigherInUse[] = 'weigh' in weighers ? [{ weigher: weighers, multiplier: 1 }] : weighers;
  const weights = hostWeights(shuffled, inUse, req);
  const weighed = shuffled.map((host, i) => ({ host, weight: weights[i] ?? 0 }));
  // Array.prototype.sort is stable, so ties keep the shuffled order.
  weighed.sort((x, y) => y.weight - x.weight);
  return weighed.map((w) => w.host);
}
