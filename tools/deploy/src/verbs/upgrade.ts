// upgrade: Kolla-Ansible's upgrade for Zun. After the operator sets the new
// zun_tag in globals.yml: render the config, bring the new images to each
// host, migrate the database with the new image (bootstrap_zun, once, while
// the old services keep serving), then replace the Zun services in Nova's
// order, --serial hosts at a time, waiting for each batch to be healthy
// before the next. A service that does not become healthy stops the rollout,
// naming host, service and the reason; hosts not reached yet keep the old
// version (old and new services interoperate: ADR 0021).
// The infrastructure (MariaDB, Redis, Keystone, HAProxy) is deploy's.
import { Reporter } from '../cli/report';
import { renderHost, writeRendered } from '../config/render';
import { DEFAULT_TIMEOUT_S, target } from '../deploy/hosts';
import { syncImages } from '../deploy/images-sync';
import { DeployStepError, applyPlan, planContainer, resolveService, runOneShot, waitHealthy } from '../deploy/rollout';
import { UPGRADE_ORDER, batches } from '../deploy/upgrade-order';
import { hostSetting, servicesOn } from '../inventory/deployment';
import { type Action } from '../docker/container-spec';
import { HAPROXY_STATS_PORT } from '../config/haproxy';
import { waitServersUp } from '../deploy/vip';
import { type Verb } from './verb';

/** The HAProxy proxies in front of a service (its servers are named after the hosts). */
const BALANCED: Record<string, string> = { 'zun-api': 'zun_api', 'zun-wsproxy': 'zun_wsproxy' };

const DONE: Record<Action, string> = { create: 'created', recreate: 'recreated', restart: 'restarted', start: 'started', none: 'unchanged' };

export const upgrade: Verb = {
  name: 'upgrade',
  summary: "migrate with the new zun_tag's image, then replace Zun's services in Nova's order (--serial N|N%), each batch waited for until healthy",
  async run(ctx) {
    const report = new Reporter(ctx.io);
    const t = target(ctx, report, { localOnly: true });
    const { dep, hosts } = t;
    const timeoutMs = (ctx.opts.timeout ?? DEFAULT_TIMEOUT_S) * 1000;
    const t0 = Date.now();
    for (const host of hosts) writeRendered(hostSetting(dep, host, 'node_config_directory'), renderHost(dep, host).files);
    for (const s of await syncImages(dep, hosts, t.engine, hosts)) if (s.how !== 'present') report.step(s.host, '-', 'image', `${s.image} ${s.how}`);

    const first = dep.inventory.hostsOf('zun-api')[0];
    if (first !== undefined && hosts.includes(first)) {
      const t1 = Date.now();
      await runOneShot(dep, t.engine(first), 'bootstrap_zun', timeoutMs);
      report.step(first, 'bootstrap_zun', 'run', `done with ${resolveService(dep, first, 'zun-api').image} (${((Date.now() - t1) / 1000).toFixed(1)}s)`);
    }

    const statsUrl = `http://${dep.globals.kolla_internal_vip_address.includes(':') ? `[${dep.globals.kolla_internal_vip_address}]` : dep.globals.kolla_internal_vip_address}:${HAPROXY_STATS_PORT}/`;
    let replaced = 0;
    for (const service of UPGRADE_ORDER) {
      const on = hosts.filter((h) => servicesOn(dep, h).includes(service));
      for (const batch of batches(on, ctx.opts.serial)) {
        await Promise.all(
          batch.map(async (host) => {
            const engine = t.engine(host);
            const r = resolveService(dep, host, service);
            try {
              const p = await planContainer(dep, engine, r);
              await applyPlan(engine, p);
              if (p.action !== 'none') replaced++;
              await waitHealthy(engine, service, r.container_name, timeoutMs);
              // behind HAProxy: the next batch waits until this one is back in rotation
              const proxy = BALANCED[service];
              if (proxy && dep.globals.enable_haproxy) await waitServersUp(statsUrl, proxy, [host], timeoutMs);
              report.step(host, service, 'upgrade', p.action === 'none' ? 'already current' : `${DONE[p.action]}, healthy`);
            } catch (e) {
              if (e instanceof DeployStepError) throw e;
              throw new DeployStepError(host, service, 'upgrade', (e as Error).message.trim(), await engine.logTail(r.container_name));
            }
          }),
        );
      }
    }
    report.info(`upgrade: ${replaced} container(s) replaced on ${hosts.length} host(s) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return 0;
  },
};
