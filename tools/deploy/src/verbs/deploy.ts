// deploy and reconfigure (the same steps, as in Kolla-Ansible): render
// /etc/kolla/<service>/ on each host, then in catalogue order: MariaDB and the
// databases, Redis, bootstrap_keystone and Keystone (with Zun registered in
// it), bootstrap_zun (migrations) before any Zun service starts, then each Zun
// service: created, recreated, restarted or left alone as the comparison says,
// and every container waited for until healthy. Twice in a row: no change.
import { resolveService } from '../catalogue/resolve';
import { Reporter } from '../cli/report';
import { renderHost, writeRendered } from '../config/render';
import { type Action, namedVolumes } from '../docker/container-spec';
import { deployedHosts, endpoints, hostSetting, servicesOn } from '../inventory/deployment';
import { syncImages } from '../deploy/images-sync';
import { type Stray, retire, strayContainers, zunUrl } from '../deploy/retire';
import { waitHttpOk } from '../deploy/vip';
import { limitHosts } from '../cli/load';
import { createDatabases } from '../deploy/database';
import { DEFAULT_TIMEOUT_S, type Target, target } from '../deploy/hosts';
import { registerZun } from '../deploy/keystone';
import { DeployStepError, type Plan, applyPlan, planContainer, replaces, runOneShot, waitHealthy } from '../deploy/rollout';
import { type Verb, type VerbContext } from './verb';

const INFRA = ['haproxy', 'mariadb', 'redis', 'keystone'];
const DONE: Record<Action, string> = { create: 'created', recreate: 'recreated', restart: 'restarted', start: 'started', none: 'unchanged' };

async function rollout(ctx: VerbContext, verbName: string): Promise<number> {
  const report = new Reporter(ctx.io);
  const t: Target = target(ctx, report, { localOnly: true });
  const { dep, hosts } = t;
  const timeoutMs = (ctx.opts.timeout ?? DEFAULT_TIMEOUT_S) * 1000;
  const t0 = Date.now();
  const changed: string[] = [];

  for (const host of hosts) {
    const rendered = renderHost(dep, host);
    const dir = hostSetting(dep, host, 'node_config_directory');
    writeRendered(dir, rendered.files);
    report.step(host, '-', 'config', `${dir}/{${rendered.services.join(',')}}`);
    const engine = t.engine(host);
    const volumes = new Set(['kolla_logs', ...servicesOn(dep, host).flatMap((s) => namedVolumes(resolveService(dep, host, s).volumes))]);
    for (const v of volumes) await engine.ensureVolume(v);
  }

  // the images: pulled from docker_registry, or copied from another host's engine
  for (const s of await syncImages(dep, hosts, t.engine, deployedHosts(dep))) if (s.how !== 'present') report.step(s.host, '-', 'image', `${s.image} ${s.how}`);

  const oneShot = async (name: string, group: string): Promise<void> => {
    const host = dep.inventory.hostsOf(group)[0];
    if (host === undefined || !hosts.includes(host)) return;
    const t1 = Date.now();
    await runOneShot(dep, t.engine(host), name, timeoutMs);
    report.step(host, name, 'run', `done (${((Date.now() - t1) / 1000).toFixed(1)}s)`);
  };
  const step = async <T>(host: string, service: string, what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof DeployStepError) throw e;
      const r = resolveService(dep, host, service);
      throw new DeployStepError(host, service, what, (e as Error).message.trim(), await t.engine(host).logTail(r.container_name));
    }
  };
  const plan = (host: string, service: string): Promise<Plan> => step(host, service, 'compare', () => planContainer(dep, t.engine(host), resolveService(dep, host, service)));
  const apply = async (host: string, p: Plan): Promise<void> => {
    await step(host, p.r.name, 'container', () => applyPlan(t.engine(host), p));
    if (p.action !== 'none') changed.push(`${host}/${p.r.container_name}`);
    report.step(host, p.r.name, 'container', DONE[p.action]);
  };
  const healthy = async (host: string, service: string): Promise<void> => {
    const r = resolveService(dep, host, service);
    await waitHealthy(t.engine(host), service, r.container_name, timeoutMs);
    report.step(host, service, 'health', r.healthcheck ? 'healthy' : 'running');
  };

  // the infrastructure, one service at a time: each needs the one before
  for (const service of INFRA) {
    for (const host of hosts.filter((h) => servicesOn(dep, h).includes(service))) {
      const p = await plan(host, service);
      // a new Keystone container (first deploy, new image or options) is bootstrapped first
      if (service === 'keystone' && replaces(p)) await oneShot('bootstrap_keystone', 'keystone');
      await apply(host, p);
      await healthy(host, service);
      if (service === 'mariadb') report.step(host, service, 'databases', (await createDatabases(dep, t.engine(host))).join(', '));
      if (service === 'keystone') {
        const g = dep.globals;
        if (g.enable_haproxy) await step(host, service, 'through the VIP', () => waitHttpOk(`${endpoints(dep).keystoneInternal}/v3`, timeoutMs));
        const done = await registerZun({
          url: endpoints(dep).keystoneInternal,
          adminPassword: dep.passwords.keystone_admin_password,
          region: g.openstack_region_name,
          user: g.zun_keystone_user,
          password: dep.passwords.zun_keystone_password,
          endpoint: `http://${g.kolla_internal_fqdn}:${g.zun_api_port}/v1`,
        });
        report.step(host, service, 'register zun', done.length ? done.join('; ') : 'in place');
      }
    }
  }

  // Zun: compare everything, migrate (bootstrap_zun) when a container is to be
  // replaced (a new image may bring migrations), then act, then wait for all
  const zun = hosts.flatMap((h) => servicesOn(dep, h).filter((s) => !INFRA.includes(s)).map((s) => [h, s] as const));
  const plans: [string, Plan][] = [];
  for (const [h, s] of zun) plans.push([h, await plan(h, s)]);
  if (plans.some(([, p]) => replaces(p))) await oneShot('bootstrap_zun', 'zun-api');
  for (const [h, p] of plans) await apply(h, p);
  await Promise.all(zun.map(([h, s]) => healthy(h, s)));
  const api = dep.inventory.hostsOf('zun-api')[0];
  if (dep.globals.enable_haproxy && dep.globals.enable_zun && api !== undefined) {
    await step(api, 'zun-api', 'through the VIP', () => waitHttpOk(`${zunUrl(dep)}/healthcheck`, timeoutMs));
  }

  // what a host no longer runs (taken out of a group) is retired: compute disabled in Zun, the container removed
  const strays: Stray[] = [];
  for (const h of limitHosts(dep, dep.inventory.hosts, ctx.opts.limit)) {
    try {
      strays.push(...(await strayContainers(dep, t.engine(h))));
    } catch (e) {
      if (hosts.includes(h)) throw e;
      report.warn(`host ${h}: not reachable to look for retired services (${(e as Error).message})`);
    }
  }
  for (const line of await retire(dep, strays, t.engine)) report.step(line.split('/')[0] ?? '-', '-', 'retire', line.slice(line.indexOf('/') + 1));
  changed.push(...strays.map((s) => `${s.host}/${s.container} (retired)`));
  report.info(`${verbName}: ${changed.length ? `changed ${changed.join(', ')}` : 'nothing changed'} (${hosts.length} host(s), ${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  return 0;
}

export const deploy: Verb = {
  name: 'deploy',
  summary: 'render config, create the databases, bootstrap, start every container and wait until healthy',
  run: (ctx) => rollout(ctx, 'deploy'),
};

export const reconfigure: Verb = {
  name: 'reconfigure',
  summary: 'render config again and restart exactly the containers whose config changed',
  run: (ctx) => rollout(ctx, 'reconfigure'),
};
