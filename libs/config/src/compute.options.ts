import { float, int, port, section, str } from './option.dsl';

/** `[compute]`: the service running containers on each host. */
export const computeSection = section('compute', 'The zun-compute service.', {
  container_driver: str({
    default: 'docker',
    help: 'Driver that runs the containers of this host. docker: the Docker engine of [docker]. A plug-in (see ' +
      '[DEFAULT] plugin_paths) may add drivers; an unknown name stops zun-compute at start.',
  }),
  reserve_disk_for_image: float({
    default: 0.2,
    min: 0,
    max: 1,
    help: 'Fraction of the disk of a host kept for images, not offered to containers.',
  }),
  reserved_host_memory_mb: int({
    default: 0,
    min: 0,
    unit: 'MiB',
    help: 'Memory of this host kept for the host itself (its system, the engine), not offered to containers: the ' +
      'memory the host reports for scheduling is its total minus this amount.',
  }),
  relay_host: str({
    default: '127.0.0.1',
    help: 'Address the console relay of this host listens on (zun-wsproxy connects to it for attach and ' +
      'interactive exec; the Docker API itself is never exposed). Use an address zun-wsproxy can reach; with ' +
      '0.0.0.0 or :: the relay is published under [DEFAULT] host.',
  }),
  relay_port: port({
    default: 0,
    help: 'TCP port of the console relay; 0 picks a free port, published with each console session. Set a ' +
      'fixed port when a firewall sits between zun-wsproxy and the compute hosts.',
  }),
  relay_token_ttl: int({
    default: 600,
    min: 1,
    unit: 'seconds',
    help: 'How long a console token minted by attach or interactive exec may open a session at the relay.',
  }),
});
