// The catalogue filled in for one host: what deploy will hand to Docker.
import { type Deployment, PER_HOST_SETTINGS, hostAddress, hostSetting } from '../inventory/deployment';
import { type Healthcheck, ONE_SHOTS, type OneShotSpec, SERVICES, type ServiceSpec, expand, imageRef } from './services';

/** The values `{{ name }}` placeholders take on a host: globals.yml plus the host's own facts. */
export function templateVars(dep: Deployment, host: string): Record<string, string | number | boolean> {
  const own = Object.fromEntries(PER_HOST_SETTINGS.map((k) => [k, hostSetting(dep, host, k)]));
  // the VIP lives on the first loadbalancer host (no keepalived moves it)
  const vipHere = dep.globals.enable_haproxy && dep.inventory.hostsOf('loadbalancer')[0] === host;
  const vars = dep.inventory.varsOf(host);
  return {
    ...dep.globals,
    ...dep.passwords,
    ...own,
    inventory_hostname: host,
    api_interface_address: hostAddress(dep, host),
    api_interface: vars['api_interface'] ?? vars['network_interface'] ?? dep.globals.api_interface,
    haproxy_vip_address: vipHere ? dep.globals.kolla_internal_vip_address : '',
  };
}

export interface ResolvedService {
  name: string;
  host: string;
  container_name: string;
  image: string;
  volumes: string[];
  environment: Record<string, string>;
  /** Docker's healthcheck test, or null when enable_container_healthchecks is off. */
  healthcheck: Healthcheck | null;
  privileged: boolean;
  cap_add: string[];
  dimensions: ServiceSpec['dimensions'];
  ports: number[];
}

function withNofile(d: ServiceSpec['dimensions'], nofile: number): ServiceSpec['dimensions'] {
  if (!d.ulimits?.['nofile']) return d;
  return { ...d, ulimits: { ...d.ulimits, nofile: { soft: nofile, hard: nofile } } };
}

/** A catalogue service with its placeholders filled for `host`. */
export function resolveService(dep: Deployment, host: string, name: string): ResolvedService {
  const spec = SERVICES[name];
  if (!spec) throw new Error(`no service "${name}" in the catalogue`);
  const vars = templateVars(dep, host);
  const x = (s: string): string => expand(s, vars);
  return {
    name,
    host,
    container_name: spec.container_name,
    image: imageRef(spec, dep.globals),
    volumes: spec.volumes.map(x),
    environment: Object.fromEntries(Object.entries(spec.environment).map(([k, v]) => [k, x(v)])),
    healthcheck: dep.globals.enable_container_healthchecks
      ? { interval: x(spec.healthcheck.interval), retries: x(spec.healthcheck.retries), start_period: x(spec.healthcheck.start_period), timeout: x(spec.healthcheck.timeout), test: spec.healthcheck.test.map(x) }
      : null,
    privileged: spec.privileged,
    cap_add: [...spec.cap_add],
    dimensions: withNofile(spec.dimensions, dep.globals.default_container_nofile),
    ports: spec.ports.map((p) => Number(x(p))),
  };
}

/** A one-shot container, resolved like its service on the first host of its group (null when that group is empty). */
export function resolveOneShot(dep: Deployment, name: string): (ResolvedService & { oneShot: OneShotSpec }) | null {
  const oneShot = ONE_SHOTS[name];
  if (!oneShot) throw new Error(`no one-shot container "${name}" in the catalogue`);
  const host = dep.inventory.hostsOf(oneShot.group)[0];
  if (host === undefined) return null;
  const base = resolveService(dep, host, oneShot.service);
  return {
    ...base,
    name,
    container_name: oneShot.container_name,
    environment: { ...base.environment, ...Object.fromEntries(Object.entries(oneShot.environment).map(([k, v]) => [k, expand(v, templateVars(dep, host))])) },
    healthcheck: null,
    ports: [],
    oneShot,
  };
}
