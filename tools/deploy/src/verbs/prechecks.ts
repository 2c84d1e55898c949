// prechecks: what can be known before touching a host. First the inputs
// (groups the catalogue needs, host addresses, endpoints, layouts this version
// cannot deploy), then each host: its Docker engine answers, and the ports its
// services will listen on are free (or held by our own running container).
import { limitHosts, loadDeployment } from '../cli/load';
import { Reporter } from '../cli/report';
import { resolveService } from '../catalogue/resolve';
import { SERVICES, type ServiceSpec } from '../catalogue/services';
import { hostEndpoint } from '../docker/endpoint';
import { type Engines } from '../docker/engine';
import { type Deployment, deployedHosts, enabledServices, endpoints, hostAddress, missingGroups, servicesOn } from '../inventory/deployment';
import { type Verb } from './verb';

/** Oldest engine API the deploy step is written against (Docker 20.10). */
export const MIN_API_VERSION = '1.41';

export interface Finding {
  level: 'error' | 'warning';
  message: string;
}

function attempt(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Checks of the inputs alone (no host is contacted). */
export function sanityChecks(dep: Deployment, hosts: string[]): Finding[] {
  const out: Finding[] = [];
  const error = (message: string): void => void out.push({ level: 'error', message });
  const warn = (message: string): void => void out.push({ level: 'warning', message });
  const file = dep.inventory.file;
  for (const g of missingGroups(dep)) error(`${file}: no group "${g}" (e.g. [${g}:children] with control or compute under it)`);
  for (const [name, s] of enabledServices(dep)) {
    if (dep.inventory.hasGroup(s.group) && !dep.inventory.hostsOf(s.group).length) error(`${file}: group "${s.group}" has no host, but ${name} is enabled`);
  }
  for (const h of dep.inventory.hosts) if (!servicesOn(dep, h).length) warn(`${file}: host ${h} runs no enabled service`);
  if (dep.globals.enable_haproxy) error('globals.yml: enable_haproxy: yes is not supported yet (one host per backend, no VIP)');
  for (const name of ['mariadb', 'redis', 'keystone']) {
    const s = SERVICES[name] as ServiceSpec;
    const n = dep.globals[s.enabled] ? dep.inventory.hostsOf(s.group).length : 0;
    if (n > 1) error(`${file}: group "${s.group}" has ${n} hosts; ${name} runs on one host (clustering is not supported yet)`);
  }
  if (dep.globals.enable_zun && dep.inventory.hostsOf('zun-api').length > 1 && !dep.globals.enable_haproxy) {
    warn(`${file}: several zun-api hosts and no load balancer: clients must be given one of them`);
  }
  const g = dep.globals;
  if (g.enable_zun && !g.enable_haproxy && g.kolla_external_fqdn === g.kolla_internal_vip_address) {
    const fronts = [...new Set([...dep.inventory.hostsOf('zun-api'), ...dep.inventory.hostsOf('zun-wsproxy')])];
    const addrs = fronts.flatMap((h) => {
      try {
        return [hostAddress(dep, h)];
      } catch {
        return [];
      }
    });
    if (addrs.length && !addrs.includes(g.kolla_internal_vip_address)) {
      warn(`globals.yml: without haproxy, kolla_internal_vip_address ${g.kolla_internal_vip_address} should be a zun-api/zun-wsproxy host's address (${addrs.join(', ')}): the console URL ws://${g.kolla_internal_vip_address}:${g.zun_wsproxy_port}/ points there`);
    }
  }
  const backends = attempt(() => endpoints(dep));
  if (backends) error(backends);
  for (const host of hosts) {
    const addr = attempt(() => hostAddress(dep, host));
    if (addr) {
      error(addr);
      continue;
    }
    const ep = attempt(() => hostEndpoint(dep, host));
    if (ep) error(ep);
    const seen = new Map<number, string>();
    for (const svc of servicesOn(dep, host)) {
      for (const port of resolveService(dep, host, svc).ports) {
        const other = seen.get(port);
        if (other) error(`host ${host}: ${svc} and ${other} both listen on port ${port}`);
        seen.set(port, svc);
      }
    }
  }
  return out;
}

function apiAtLeast(v: string, min: string): boolean {
  const [a = 0, b = 0] = v.split('.').map(Number);
  const [c = 0, d = 0] = min.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

/** Checks that contact each host: its engine, and the ports of its services. */
export async function hostChecks(dep: Deployment, host: string, engines: Engines, report: Reporter): Promise<void> {
  const endpoint = hostEndpoint(dep, host);
  let running: string[];
  try {
    const v = await engines.version(endpoint);
    if (!apiAtLeast(v.apiVersion, MIN_API_VERSION)) report.warn(`host ${host}: Docker API ${v.apiVersion} is older than ${MIN_API_VERSION}`);
    running = await engines.runningContainers(endpoint);
    report.step(host, '-', 'docker', `${endpoint.url} answers (Docker ${v.version}, API ${v.apiVersion})`);
  } catch (e) {
    report.error(`host ${host}: Docker at ${endpoint.url} does not answer: ${(e as Error).message}`);
    return;
  }
  const address = hostAddress(dep, host);
  for (const svc of servicesOn(dep, host)) {
    const r = resolveService(dep, host, svc);
    for (const port of r.ports) {
      if (running.includes(r.container_name)) {
        report.step(host, svc, `port ${port}`, `held by the running ${r.container_name}`);
      } else if (await engines.portInUse(address, port)) {
        report.error(`host ${host}: port ${address}:${port}, needed by ${svc}, is in use by something else`);
      } else {
        report.step(host, svc, `port ${port}`, 'free');
      }
    }
  }
}

export const prechecks: Verb = {
  name: 'prechecks',
  summary: 'check the inventory and globals, that each host\'s Docker answers and that service ports are free',
  async run(ctx) {
    const report = new Reporter(ctx.io);
    const { dep, ignoredGlobals } = loadDeployment(ctx.opts);
    if (ignoredGlobals.length) report.warn(`globals.yml: not used by zun-kolla: ${ignoredGlobals.join(', ')}`);
    const hosts = limitHosts(dep, deployedHosts(dep), ctx.opts.limit);
    const findings = sanityChecks(dep, hosts);
    for (const f of findings) {
      if (f.level === 'error') report.error(f.message);
      else report.warn(f.message);
    }
    if (!findings.some((f) => f.level === 'error')) {
      for (const host of hosts) await hostChecks(dep, host, ctx.engines, report);
    }
    report.info(`prechecks: ${report.errors ? 'FAILED' : 'passed'} (${hosts.length} host(s), ${report.errors} error(s), ${report.warnings} warning(s))`);
    return report.errors ? 1 : 0;
  },
};
