import { int, secret, section, str } from './option.dsl';

/** `[docker]`: how compute hosts reach their Docker daemon. */
export const dockerSection = section('docker', 'Docker daemon used by zun-compute.', {
  docker_remote_api_host: str({
    default: 'unix:///var/run/docker.sock',
    help: 'Docker endpoint: unix:///path/to/docker.sock or tcp://host:port.',
    check: (v) => (/^(unix|tcp|https?):\/\//.test(v) ? undefined : `'${v}' is not a unix://, tcp:// or http(s):// address`),
  }),
  default_registry: str({
    default: null,
    help: 'Registry (host:port) for image names without one. Unset: Docker Hub.',
  }),
  default_registry_username: str({
    default: null,
    help: 'User name for pulls from default_registry (unset: anonymous pulls).',
  }),
  default_registry_password: secret(str({
    default: null,
    help: 'Password for pulls from default_registry.',
  })),
  default_timeout: int({
    default: 120,
    min: 1,
    unit: 'seconds',
    help: 'Seconds to wait for one Docker API request.',
  }),
  container_runtime: str({
    default: 'runc',
    help: 'Runtime given to Docker for containers that do not ask for one.',
  }),
});
