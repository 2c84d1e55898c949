// A deployment: inventory + globals.yml + passwords.yml, and what follows from
// them (which services each host runs, each host's address, where the
// database, Redis and Keystone are).
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { ONE_SHOTS, SERVICES, type ServiceSpec } from '../catalogue/services';
import { type Globals } from './globals';
import { type Inventory } from './inventory';
import { type Passwords } from './passwords';

export class DeploymentError extends Error {
  override name = 'DeploymentError';
}

export interface Deployment {
  inventory: Inventory;
  globals: Globals;
  passwords: Passwords;
  /** The operator's config dir (globals.yml, passwords.yml, and node_custom_config when relative). */
  configDir: string;
  /** The local interfaces, for hosts reached through `ansible_connection=local`; default os.networkInterfaces. */
  interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/** The enabled services of the catalogue, in start order. */
export function enabledServices(dep: Deployment): [string, ServiceSpec][] {
  return Object.entries(SERVICES).filter(([, s]) => dep.globals[s.enabled]);
}

/** The enabled services a host runs (its groups), in start order. */
export function servicesOn(dep: Deployment, host: string): string[] {
  return enabledServices(dep)
    .filter(([, s]) => dep.inventory.hostsOf(s.group).includes(host))
    .map(([name]) => name);
}

/** The hosts that run at least one enabled service, in inventory order. */
export function deployedHosts(dep: Deployment): string[] {
  return dep.inventory.hosts.filter((h) => servicesOn(dep, h).length > 0);
}

/** Whether the tool runs on the host itself (Ansible's `ansible_connection=local`, or localhost). */
export function isLocalHost(dep: Deployment, host: string): boolean {
  const vars = dep.inventory.varsOf(host);
  return vars['ansible_connection'] === 'local' || host === 'localhost';
}

/** Settings a host's inventory line (or its groups' vars) may give its own value, as Ansible host vars do. */
export const PER_HOST_SETTINGS = ['node_config_directory', 'docker_socket'] as const;
export type PerHostSetting = (typeof PER_HOST_SETTINGS)[number];

/** A per-host setting: the host's variable when set, else globals.yml's. */
export function hostSetting(dep: Deployment, host: string, key: PerHostSetting): string {
  return dep.inventory.varsOf(host)[key] || dep.globals[key];
}

/** Local hosts (this machine's file system) that would share one node_config_directory, or null. */
export function sharedConfigDirs(dep: Deployment, hosts: string[]): { dir: string; hosts: string[] } | null {
  const byDir = new Map<string, string[]>();
  for (const h of hosts.filter((x) => isLocalHost(dep, x))) {
    const dir = hostSetting(dep, h, 'node_config_directory');
    byDir.set(dir, [...(byDir.get(dir) ?? []), h]);
  }
  const [dir, shared] = [...byDir].find(([, hs]) => hs.length > 1) ?? [];
  return dir && shared ? { dir, hosts: shared } : null;
}

/**
 * The address a host's services listen on: host var `api_interface_address`,
 * else `ansible_host` when it is an IP address, else (local hosts only) the
 * IPv4 address of `api_interface` on this machine.
 */
export function hostAddress(dep: Deployment, host: string): string {
  const vars = dep.inventory.varsOf(host);
  if (vars['api_interface_address']) return vars['api_interface_address'];
  if (vars['ansible_host'] && isIP(vars['ansible_host'])) return vars['ansible_host'];
  const iface = vars['api_interface'] ?? vars['network_interface'] ?? dep.globals.api_interface;
  if (isLocalHost(dep, host)) {
    const addrs = (dep.interfaces ?? networkInterfaces)()[iface] ?? [];
    const v4 = addrs.find((a) => a.family === 'IPv4');
    if (v4) return v4.address;
    throw new DeploymentError(`host ${host}: interface "${iface}" (api_interface) has no IPv4 address on this machine`);
  }
  throw new DeploymentError(`host ${host}: set api_interface_address, or an IP address as ansible_host, in ${dep.inventory.file}`);
}

function firstHostAddress(dep: Deployment, group: string): string | undefined {
  const host = dep.inventory.hostsOf(group)[0];
  return host === undefined ? undefined : hostAddress(dep, host);
}

export interface Endpoints {
  databaseHost: string;
  databasePort: number;
  redisHost: string;
  redisPort: number;
  keystoneInternal: string;
  keystonePublic: string;
}

/**
 * Where the shared backends are. An explicit `*_address` / `keystone_*_url` in
 * globals.yml wins (an existing MariaDB, Redis or Keystone); with haproxy, the
 * internal VIP; otherwise the first host of the backend's group.
 */
export function endpoints(dep: Deployment): Endpoints {
  const g = dep.globals;
  const pick = (explicit: string, group: string, enabled: boolean, what: string): string => {
    if (explicit) return explicit;
    if (g.enable_haproxy) return g.kolla_internal_fqdn;
    const first = enabled ? firstHostAddress(dep, group) : undefined;
    if (first) return first;
    if (enabled) throw new DeploymentError(`${dep.inventory.file}: group "${group}" has no host, and ${what} is not set in globals.yml`);
    throw new DeploymentError(`globals.yml: ${what} must be set when the tool does not deploy it (enable_${group}: no)`);
  };
  const keystoneHost = g.keystone_internal_url ? '' : pick('', 'keystone', g.enable_keystone, 'keystone_internal_url');
  const keystoneInternal = g.keystone_internal_url || `http://${keystoneHost}:${g.keystone_public_port}`;
  return {
    databaseHost: pick(g.database_address, 'mariadb', g.enable_mariadb, 'database_address'),
    databasePort: g.database_port,
    redisHost: pick(g.redis_address, 'redis', g.enable_redis, 'redis_address'),
    redisPort: g.redis_port,
    keystoneInternal,
    keystonePublic: g.keystone_public_url || keystoneInternal,
  };
}

/** The groups the catalogue uses (services and one-shots) that the inventory lacks, for enabled services. */
export function missingGroups(dep: Deployment): string[] {
  const groups = new Set<string>();
  for (const [, s] of enabledServices(dep)) groups.add(s.group);
  for (const o of Object.values(ONE_SHOTS)) if (dep.globals[(SERVICES[o.service] as ServiceSpec).enabled]) groups.add(o.group);
  return [...groups].filter((g) => !dep.inventory.hasGroup(g));
}
