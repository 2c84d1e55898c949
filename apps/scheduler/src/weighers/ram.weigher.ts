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
  const n = hosts.length;
  const totals = new Array<number>(n).fill(0);
  const raw = new Array<number>(n);
  for (const { weigher, multiplier } of weighers) {
    let min = Infinity;
    let max = -Infinity;
    let nan = false;
    for (let i = 0; i < n; i++) {
      const w = weigher.weigh(hosts[i] as HostState, req as ScheduleRequest);
      raw[i] = w;
      if (w < min) min = w;
      if (w > max) max = w;
      if (Number.isNaN(w)) nan = true;
    }
    if (nan || !(max > min)) continue;
    for (let i = 0; i < n; i++) totals[i] = (totals[i] as number) + (multiplier * ((raw[i] as number) - min)) / (max - min);
  }
  return totals;
}

/**
 * The `limit` hosts of highest weight, best first, without sorting them all (one pass keeping the best so far):
 * what a full stable sort by descending weight would put first, ties in the order of `hosts`.
 */
export function bestByWeight(hosts: readonly HostState[], weights: readonly number[], limit: number): HostState[] {
  const best: number[] = [];
  for (let i = 0; i < hosts.length; i++) {
    const w = weights[i] ?? 0;
    if (best.length >= limit && !(w > (weights[best[best.length - 1] as number] ?? 0))) continue;
    // After every kept index of the same weight or more: ties keep their order.
    let at = best.length;
    while (at > 0 && (weights[best[at - 1] as number] ?? 0) < w) at--;
    best.splice(at, 0, i);
    if (best.length > limit) best.pop();
  }
  return best.map((i) => hosts[i] as HostState);
}

/**
 * Hosts by descending weight, the best `limit` of them (all by default); equal weights come in random order, so
 * concurrent requests facing identical hosts do not all race for the same one. `random` returns [0, 1) like
 * Math.random. `weighers` is one weigher (multiplier 1) or the weighers in use.
 */
export function orderByWeight(
  hosts: readonly HostState[],
  weighers: HostWeigher | readonly WeigherInUse[],
  random: () => number = Math.random,
  req: ScheduleRequest | null = null,
  limit = Infinity,
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
  if (limit < shuffled.length) return bestByWeight(shuffled, weights, limit);
  const weighed = shuffled.map((host, i) => ({ host, weight: weights[i] ?? 0 }));
  // Array.prototype.sort is stable, so ties keep the shuffled order.
  weighed.sort((x, y) => y.weight - x.weight);
  return weighed.map((w) => w.host);
}
