import { hostname } from 'node:os';
import { bool, int, list, secret, section, str } from './option.dsl';

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
