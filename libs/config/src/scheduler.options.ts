import { float, int, list, section, str } from './option.dsl';

/** `[scheduler]`: how a host is chosen for a new container. */
export const schedulerSection = section('scheduler', 'The zun-scheduler service.', {
  driver: str({ default: 'filter_scheduler', help: 'Scheduler implementation to use.' }),
  enabled_filters: list({
    default: ['AvailabilityZoneFilter', 'ComputeFilter', 'RuntimeFilter', 'CPUFilter', 'RamFilter', 'DiskFilter', 'LabelFilter'],
    help: 'Host filters run, in this order, to find the hosts able to run a container. Put the most selective ' +
      'first. An unknown name stops the scheduler at start.',
  }),
  max_attempts: int({
    default: 3,
    min: 1,
    help: 'How many hosts to try for one container before giving up (1: no rescheduling).',
  }),
  cpu_allocation_ratio: float({
    default: 16.0,
    min: 0,
    help: 'Virtual CPUs that may be allocated per physical CPU of a host.',
  }),
  ram_allocation_ratio: float({
    default: 1.5,
    min: 0,
    help: 'Memory that may be allocated per byte of physical memory of a host.',
  }),
  disk_allocation_ratio: float({
    default: 1.0,
    min: 0,
    help: 'Disk space that may be allocated per byte of physical disk of a host.',
  }),
});
