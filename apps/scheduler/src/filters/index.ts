import { type Newable } from 'inversify';
import { AvailabilityZoneFilter } from './availability-zone.filter';
import { ComputeFilter } from './compute.filter';
import { CpuSetFilter } from './cpu-set.filter';
import { CPUFilter } from './cpu.filter';
import { DiskFilter } from './disk.filter';
import { type HostFilter } from './host-filter';
import { LabelFilter } from './label.filter';
import { RamFilter } from './ram.filter';
import { RuntimeFilter } from './runtime.filter';

export { HOST_FILTER, fitsCapacity, type HostFilter } from './host-filter';
export { AvailabilityZoneFilter } from './availability-zone.filter';
export { ComputeFilter } from './compute.filter';
export { RuntimeFilter } from './runtime.filter';
export { CPUFilter } from './cpu.filter';
export { RamFilter } from './ram.filter';
export { DiskFilter } from './disk.filter';
export { LabelFilter } from './label.filter';
export { CpuSetFilter } from './cpu-set.filter';
export { RequestedHostFilter } from './requested-host.filter';
export { VolumeHostFilter } from './volume-host.filter';

/**
 * Every filter `[scheduler] enabled_filters` may name; main.ts binds each to HOST_FILTER. RequestedHostFilter and
 * VolumeHostFilter are not here: FilterScheduler always runs them when a request needs them.
 */
export const AVAILABLE_HOST_FILTERS: ReadonlyArray<Newable<HostFilter>> = [
  AvailabilityZoneFilter,
  ComputeFilter,
  RuntimeFilter,
  CPUFilter,
  RamFilter,
  DiskFilter,
  LabelFilter,
  CpuSetFilter,
];
