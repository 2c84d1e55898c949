import { availableParallelism } from 'node:os';
import { int, section } from './option.dsl';

/** `[conductor]`: the service orchestrating builds and database access for compute hosts. */
export const conductorSection = section('conductor', 'The zun-conductor service.', {
  workers: int({
    default: () => Math.max(1, availableParallelism()),
    sampleDefault: '<number of CPUs>',
    min: 1,
    help: 'Number of conductor worker processes.',
  }),
  build_timeout: int({
    default: 1800,
    min: 0,
    unit: 'seconds',
    help: 'A container that stays Creating on a compute host whose service is up, with no change to its record ' +
      'for this many seconds, is marked Error (its build is considered stuck). A container whose host goes down ' +
      'while it is Creating is rescheduled or marked Error after service_down_time whatever this is. 0 disables ' +
      'the timeout.',
  }),
});
