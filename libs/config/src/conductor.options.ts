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
});
