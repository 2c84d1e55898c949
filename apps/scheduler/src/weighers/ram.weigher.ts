import { type HostState } from '../host-state';

/** Ranks hosts for claiming: a higher weight is tried first. */
export interface HostWeigher {
  readonly name: string;
  weigh(host: HostState): number;
}

/** Spreads containers: the host with the most unclaimed memory first. */
export class RamWeigher implements HostWeigher {
  readonly name = 'RamWeigher';

  weigh(host: HostState): number {
    return host.free_mem;
  }
}

/**
 * Hosts by descending weight; equal weights come in random order, so concurrent requests facing
 * identical hosts do not all race for the same one. `random` returns [0, 1) like Math.random.
 */
export function orderByWeight(hosts: readonly HostState[], weigher: HostWeigher, random: () => number = Math.random): HostState[] {
  const shuffled = [...hosts];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = shuffled[i] as HostState;
    shuffled[i] = shuffled[j] as HostState;
    shuffled[j] = a;
  }
  const weighed = shuffled.map((host) => ({ host, weight: weigher.weigh(host) }));
  // Array.prototype.sort is stable, so ties keep the shuffled order.
  weighed.sort((x, y) => y.weight - x.weight);
  return weighed.map((w) => w.host);
}
