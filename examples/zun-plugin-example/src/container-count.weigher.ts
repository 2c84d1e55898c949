import type { HostState, HostWeigher } from '@zun-ts/plugin-api';

/**
 * Spreads containers by count: the host with the fewest containers first, whatever their size
 * (RamWeigher spreads by free memory instead).
 */
export const containerCountWeigher: HostWeigher = {
  name: 'ContainerCountWeigher',
  weigh: (host: HostState): number => -host.total_containers,
};
