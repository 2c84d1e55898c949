import { isAbsolute } from 'node:path';
import { enumOf, section, str } from './option.dsl';

/** `[volume]`: volumes that compute hosts mount into containers (`mounts` on container create). */
export const volumeSection = section('volume', 'Volumes mounted into containers by zun-compute.', {
  volume_driver: str({
    default: 'local',
    help: 'Where volumes live. local: each volume is a sparse image file on the compute host, formatted and ' +
      'loop-mounted under mount_prefix; the volume belongs to that host and a container that mounts it is ' +
      'placed there. A plug-in (see [DEFAULT] plugin_paths) may add drivers; an unknown name stops zun-compute ' +
      'at start.',
  }),
  mount_prefix: str({
    default: '/var/lib/zun/mnt',
    help: 'Directory on each compute host that holds the volumes (image files and their mount points) and the ' +
      'files injected into containers. Keep it on an ext4 or xfs disk that survives a reboot and has room ' +
      'for the volumes; the Docker engine must see mounts made under it. One zun-compute per directory: at ' +
      'start it removes the injected files none of its containers uses.',
    check: (v) => (isAbsolute(v) && v !== '/' ? undefined : `'${v}' is not an absolute directory other than /`),
  }),
  fstype: enumOf(['ext4', 'xfs'], {
    default: 'ext4',
    help: 'Filesystem made on a new volume. The size of the volume is the size of this filesystem, so a ' +
      'container that writes past it gets "No space left on device". xfs needs mkfs.xfs (xfsprogs) on the host.',
  }),
});
