import { float, section } from './option.dsl';

/** `[compute]`: the service running containers on each host. */
export const computeSection = section('compute', 'The zun-compute service.', {
  reserve_disk_for_image: float({
    default: 0.2,
    min: 0,
    max: 1,
    help: 'Fraction of the disk of a host kept for images, not offered to containers.',
  }),
});
