import { float, int, list, section, str } from './option.dsl';

/** `[scheduler]`: how a host is chosen for a new container. */
export const schedulerSection = section('scheduler', 'The zun-scheduler service.', {
  driver: str({ default: 'filter_scheduler', help: 'Scheduler implementation to use.' }),
  enabled_filters: list({
    default: ['AvailabilityZoneFilter', 'ComputeFilter', 'RuntimeFilter', 'CPUFilter', 'RamFilter', 'DiskFilter', 'LabelFilter'],
    help: 'Host filters run, in this order, to find the hosts able to run a container. Put the most selective ' +
      'first. An unknown name stops the scheduler at start.',
  }),
  enabled_weighers: list({
    default: ['RamWeigher'],
    help: 'Weighers that rank the hosts every filter passed (built-in: RamWeigher; plug-ins add theirs). Each ' +
      "weigher's numbers are scaled to 0..1 over the candidates, multiplied by its multiplier and summed. An " +
      'unknown name stops the scheduler at start.',
  }),
  weight_multipliers: list({
    default: [],
    help: 'Multipliers of the enabled weighers as Name:number (e.g. RamWeigher:1.0, ContainerCountWeigher:2.0); ' +
      'a weigher not listed has 1.0, a negative number turns its ranking round.',
    check: (v) => {
      const bad = v.filter((e) => !/^[A-Za-z_][\w.-]*:\s*-?\d+(\.\d+)?$/.test(e));
      return bad.length ? `expected Name:number, got ${bad.join(', ')}` : undefined;
    },
  }),
  hosts_per_decision: int({
    default: 8,
    min: 1,
    help: 'How many of the fitting hosts, best first, a scheduling decision returns for the conductor to claim in ' +
      'order. When every one of them is full by the time of the claim, the conductor asks again without them. ' +
      'Fewer is cheaper per decision with many hosts; more rides out more lost claim races per decision.',
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
