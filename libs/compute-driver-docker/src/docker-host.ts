import { ConfigError } from '@zun-ts/common';

/**
 * The unix socket path in `[docker] docker_remote_api_host`. Only `unix://` is accepted: a compute host
 * drives its own engine through the local socket, and an engine API on TCP would be open to anyone who
 * can reach the port.
 * @throws ConfigError for tcp://, http(s):// or anything else.
 */
export function dockerSocketPath(host: string): string {
  const m = /^unix:\/\/(\/.*)$/.exec(host.trim());
  if (m?.[1] && m[1].length > 1) return m[1];
  if (/^(tcp|https?):\/\//.test(host.trim())) {
    throw new ConfigError(
      `[docker] docker_remote_api_host: '${host}' is not supported: the Docker API is reached only through the local unix socket (e.g. unix:///var/run/docker.sock)`,
    );
  }
  throw new ConfigError(`[docker] docker_remote_api_host: '${host}' is not a unix:///absolute/path/to/docker.sock address`);
}
