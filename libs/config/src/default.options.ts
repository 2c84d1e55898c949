import { hostname } from 'node:os';
import { bool, int, list, secret, section, str } from './option.dsl';

/** The image drivers built into zun-ts (Zun's `image_driver_list` choices); plug-ins may add others. */
export const IMAGE_DRIVER_NAMES = ['glance', 'docker'] as const;
/** One of {@link IMAGE_DRIVER_NAMES}. */
export type ImageDriverName = (typeof IMAGE_DRIVER_NAMES)[number];
const IMAGE_DRIVER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** `[DEFAULT]`: identity of this host, logging, state and service liveness. */
export const defaultSection = section('DEFAULT', 'Options shared by every zun-ts service.', {
  host: str({
    default: () => hostname(),
    sampleDefault: '<host name of this machine>',
    help: 'Name this service registers under. Compute hosts are addressed by it over RPC, so it must be ' +
      'unique among compute hosts and stable across restarts.',
  }),
  debug: bool({ default: false, help: 'Log at debug level instead of info.' }),
  log_dir: str({
    default: null,
    help: 'Directory for log files. When log_file is not set either, logs go to standard output.',
  }),
  log_file: str({
    default: null,
    help: 'Log file name; relative names are taken inside log_dir. Unset: log to standard output.',
  }),
  state_path: str({
    default: '/var/lib/zun',
    help: 'Top-level directory for state kept on this host (the SQLite database by default). Other options may ' +
      'refer to it as $state_path.',
  }),
  default_availability_zone: str({
    default: 'nova',
    help: 'Availability zone of compute hosts that are not given one explicitly.',
  }),
  report_interval: int({
    default: 10,
    min: 1,
    unit: 'seconds',
    help: 'Seconds between two heartbeats of a service. Keep it well below service_down_time.',
  }),
  service_down_time: int({
    default: 180,
    min: 1,
    unit: 'seconds',
    help: 'A service whose last heartbeat is older than this many seconds is reported as down and is not ' +
      'scheduled to.',
  }),
  rpc_response_timeout: int({
    default: 60,
    min: 1,
    unit: 'seconds',
    help: 'Seconds to wait for the reply to an RPC call before giving up with a timeout error.',
  }),
  periodic_interval: int({
    default: 60,
    min: 1,
    unit: 'seconds',
    help: 'Seconds between two runs of the periodic tasks of a service (resource reports, cleanups).',
  }),
  plugin_paths: list({
    default: [],
    help: 'Plug-ins to load at start: directories or files (absolute, or relative to the working directory) or ' +
      'installed package names. Each exports zunPlugin (see @zun-ts/plugin-api); its filters, weighers, API ' +
      'middleware and drivers are then selected by name like the built-in ones. A plug-in that fails to load ' +
      'stops the service at start.',
  }),
  image_driver_list: list({
    default: ['glance', 'docker'],
    help: 'Image drivers a container may name in image_driver: docker (a registry), glance (the image service), and ' +
      'image drivers of plug-ins (plugin_paths; zun-api and zun-compute refuse to start naming one nothing provides). ' +
      'zun commit uploads to Glance when glance is listed. Every zun-api and zun-compute must have the same list.',
    check: (v) => {
      const bad = v.filter((d) => !IMAGE_DRIVER_NAME.test(d));
      return bad.length ? `bad image driver name ${bad.join(', ')} (letters, digits, _ . - only)` : undefined;
    },
  }),
  default_image_driver: str({
    default: 'docker',
    help: 'Image driver of a container that names none: docker, glance, or a plug-in\'s image driver.',
    check: (v) => (IMAGE_DRIVER_NAME.test(v) ? undefined : 'must be an image driver name (letters, digits, _ . - only)'),
  }),
  auth_encryption_key: secret(str({
    default: null,
    help: 'Key (at least 32 characters) that seals registry passwords in the database (AES-256-GCM). zun-api and ' +
      'zun-compute refuse to start without it; every one of them must have the same key. See docs/images.md for rotation.',
  })),
  auth_encryption_previous_keys: secret(list({
    default: [],
    help: 'Earlier values of auth_encryption_key, still accepted to read passwords sealed before a rotation.',
  })),
});
