// globals.yml: the deployment-wide settings, with Kolla-Ansible's names where
// Kolla has one. Unknown keys are reported as warnings, not errors, so an
// operator may keep the rest of a Kolla globals.yml in the file.
import { YamlFileError, parseYamlMap } from './yaml-file';

export type ConfigStrategy = 'COPY_ALWAYS' | 'COPY_ONCE';

export interface Globals {
  kolla_internal_vip_address: string;
  kolla_internal_fqdn: string;
  kolla_external_vip_address: string;
  kolla_external_fqdn: string;
  network_interface: string;
  api_interface: string;
  /** Registry (host:port) the images come from; empty: images already on each host. */
  docker_registry: string;
  docker_namespace: string;
  openstack_tag: string;
  zun_tag: string;
  openstack_region_name: string;
  kolla_config_strategy: ConfigStrategy;
  /** Where each host keeps the rendered /etc/kolla/<service>/ directories. */
  node_config_directory: string;
  /** The operator's overrides (global.conf, zun.conf, zun/<svc>.conf, zun/<host>/zun.conf); relative to the config dir. */
  node_custom_config: string;
  enable_zun: boolean;
  enable_mariadb: boolean;
  enable_redis: boolean;
  enable_keystone: boolean;
  enable_haproxy: boolean;
  enable_container_healthchecks: boolean;
  /** Empty: the first host of group `mariadb` (or the VIP with haproxy). Set it to use an existing MariaDB. */
  database_address: string;
  database_port: number;
  database_user: string;
  redis_address: string;
  redis_port: number;
  /** Whether Redis asks for redis_master_password (default: when we deploy Redis). */
  redis_requirepass: boolean;
  /** Empty: http://<keystone host or VIP>:5000. Set them to use an existing Keystone. */
  keystone_internal_url: string;
  keystone_public_url: string;
  keystone_public_port: number;
  zun_api_port: number;
  zun_wsproxy_port: number;
  zun_database_name: string;
  zun_database_user: string;
  zun_keystone_user: string;
  zun_debug: boolean;
  /** Docker socket of each host, mounted into zun-compute. */
  docker_socket: string;
  /** Docker health check timing of every container, in seconds (Kolla's names and defaults). */
  default_container_healthcheck_interval: number;
  default_container_healthcheck_timeout: number;
  default_container_healthcheck_retries: number;
  default_container_healthcheck_start_period: number;
  /**
   * The open-files ulimit of every container (Kolla's dimensions: 1048576). A container cannot
   * get more than its engine's own limit: lower it where dockerd runs with less.
   */
  default_container_nofile: number;
}

type Kind = 'string' | 'bool' | 'port' | 'count' | 'strategy';

const SCHEMA: Record<keyof Globals, { kind: Kind; default: (g: Globals) => unknown }> = {
  kolla_internal_vip_address: { kind: 'string', default: () => undefined },
  kolla_internal_fqdn: { kind: 'string', default: (g) => g.kolla_internal_vip_address },
  kolla_external_vip_address: { kind: 'string', default: (g) => g.kolla_internal_vip_address },
  kolla_external_fqdn: { kind: 'string', default: (g) => g.kolla_external_vip_address },
  network_interface: { kind: 'string', default: () => 'eth0' },
  api_interface: { kind: 'string', default: (g) => g.network_interface },
  docker_registry: { kind: 'string', default: () => '' },
  docker_namespace: { kind: 'string', default: () => 'zun-ts' },
  openstack_tag: { kind: 'string', default: () => 'latest' },
  zun_tag: { kind: 'string', default: (g) => g.openstack_tag },
  openstack_region_name: { kind: 'string', default: () => 'RegionOne' },
  kolla_config_strategy: { kind: 'strategy', default: () => 'COPY_ALWAYS' },
  node_config_directory: { kind: 'string', default: () => '/etc/kolla' },
  node_custom_config: { kind: 'string', default: () => 'config' },
  enable_zun: { kind: 'bool', default: () => true },
  enable_mariadb: { kind: 'bool', default: () => true },
  enable_redis: { kind: 'bool', default: () => true },
  enable_keystone: { kind: 'bool', default: () => true },
  enable_haproxy: { kind: 'bool', default: () => false },
  enable_container_healthchecks: { kind: 'bool', default: () => true },
  database_address: { kind: 'string', default: () => '' },
  database_port: { kind: 'port', default: () => 3306 },
  database_user: { kind: 'string', default: () => 'root' },
  redis_address: { kind: 'string', default: () => '' },
  redis_port: { kind: 'port', default: () => 6379 },
  redis_requirepass: { kind: 'bool', default: (g) => g.enable_redis },
  keystone_internal_url: { kind: 'string', default: () => '' },
  keystone_public_url: { kind: 'string', default: () => '' },
  keystone_public_port: { kind: 'port', default: () => 5000 },
  zun_api_port: { kind: 'port', default: () => 9517 },
  zun_wsproxy_port: { kind: 'port', default: () => 6784 },
  zun_database_name: { kind: 'string', default: () => 'zun' },
  zun_database_user: { kind: 'string', default: () => 'zun' },
  zun_keystone_user: { kind: 'string', default: () => 'zun' },
  zun_debug: { kind: 'bool', default: () => false },
  docker_socket: { kind: 'string', default: () => '/var/run/docker.sock' },
  default_container_healthcheck_interval: { kind: 'count', default: () => 30 },
  default_container_healthcheck_timeout: { kind: 'count', default: () => 30 },
  default_container_healthcheck_retries: { kind: 'count', default: () => 3 },
  default_container_healthcheck_start_period: { kind: 'count', default: () => 5 },
  default_container_nofile: { kind: 'count', default: () => 1048576 },
};

/** Keys every globals.yml must set. */
const REQUIRED: (keyof Globals)[] = ['kolla_internal_vip_address'];

/** YAML 1.2 reads `yes` as a string; Kolla's files are full of them, so both spellings count. */
function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const s = v.toLowerCase();
  if (['yes', 'true', 'on', '1'].includes(s)) return true;
  if (['no', 'false', 'off', '0'].includes(s)) return false;
  return undefined;
}

function convert(kind: Kind, v: unknown): { ok: true; value: unknown } | { ok: false; want: string } {
  switch (kind) {
    case 'string':
      return typeof v === 'string' || typeof v === 'number' ? { ok: true, value: String(v) } : { ok: false, want: 'a string' };
    case 'bool': {
      const b = toBool(v);
      return b === undefined ? { ok: false, want: 'yes or no' } : { ok: true, value: b };
    }
    case 'port': {
      const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
      return typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 65536 ? { ok: true, value: n } : { ok: false, want: 'a TCP port (1-65535)' };
    }
    case 'count': {
      const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
      return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? { ok: true, value: n } : { ok: false, want: 'a whole number of 1 or more' };
    }
    case 'strategy':
      return v === 'COPY_ALWAYS' || v === 'COPY_ONCE' ? { ok: true, value: v } : { ok: false, want: 'COPY_ALWAYS or COPY_ONCE' };
  }
}

export interface LoadedGlobals {
  globals: Globals;
  /** Keys the tool does not know (kept by Kolla users from their own files). */
  ignored: string[];
}

/**
 * Parses globals.yml and fills in the defaults.
 * @throws YamlFileError naming file:line for bad YAML, a value of the wrong type or a missing required key
 */
export function parseGlobals(text: string, file: string): LoadedGlobals {
  const map = parseYamlMap(text, file);
  const given: Partial<Record<keyof Globals, unknown>> = {};
  const ignored: string[] = [];
  for (const [key, { value, line }] of map.entries) {
    if (!Object.hasOwn(SCHEMA, key)) {
      ignored.push(key);
      continue;
    }
    if (value === null || value === undefined) continue; // `key:` with no value keeps the default
    const spec = SCHEMA[key as keyof Globals];
    const r = convert(spec.kind, value);
    if (!r.ok) throw new YamlFileError(`${file}:${line}: ${key} must be ${r.want}, got ${JSON.stringify(value)}`);
    given[key as keyof Globals] = r.value;
  }
  for (const key of REQUIRED) {
    if (given[key] === undefined || given[key] === '') throw new YamlFileError(`${file}: ${key} is required`);
  }
  // defaults may depend on other keys: fill them in schema order
  const g = given as Record<string, unknown>;
  for (const [key, spec] of Object.entries(SCHEMA)) if (g[key] === undefined) g[key] = spec.default(g as unknown as Globals);
  return { globals: g as unknown as Globals, ignored };
}

export { YamlFileError };
