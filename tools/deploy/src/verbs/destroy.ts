// destroy --yes-i-really-really-mean-it: removes every container of the
// deployment (services and left-over one-shots), the named volumes (kolla_logs,
// the databases, the fernet keys: data is lost) and the rendered
// /etc/kolla/<service>/ directories. The operator's globals.yml, passwords.yml
// and overrides stay. Without the flag, nothing happens.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolveService } from '../catalogue/resolve';
import { ONE_SHOTS } from '../catalogue/services';
import { UsageError } from '../cli/args';
import { Reporter } from '../cli/report';
import { namedVolumes } from '../docker/container-spec';
import { target } from '../deploy/hosts';
import { hostSetting, isLocalHost, servicesOn } from '../inventory/deployment';
import { type Verb } from './verb';

export const destroy: Verb = {
  name: 'destroy',
  summary: 'remove containers, volumes and /etc/kolla/<service>/ (needs --yes-i-really-really-mean-it)',
  async run(ctx) {
    if (!ctx.opts.yesReally) throw new UsageError('destroy removes every container, volume and rendered config dir, and their data: add --yes-i-really-really-mean-it');
    const report = new Reporter(ctx.io);
    const t = target(ctx, report, { localOnly: false });
    // zun-compute first, everywhere, stopped rather than killed while the bus and database still answer: it then
    // removes what it kept set up on its host for a next container (project networks no container uses,
    // [network] idle_network_timeout).
    await Promise.all(t.hosts.filter((h) => servicesOn(t.dep, h).includes('zun-compute')).map(async (host) => {
      const r = resolveService(t.dep, host, 'zun-compute');
      if (await t.engine(host).stop(r.container_name, 30)) report.step(host, 'zun-compute', r.container_name, 'stopped');
    }));
    for (const host of t.hosts) {
      const engine = t.engine(host);
      const services = servicesOn(t.dep, host);
      const volumes = new Set(['kolla_logs']);
      for (const service of [...services].reverse()) {
        const r = resolveService(t.dep, host, service);
        namedVolumes(r.volumes).forEach((v) => volumes.add(v));
        report.step(host, service, r.container_name, (await engine.remove(r.container_name)) ? 'removed' : 'absent');
      }
      for (const o of Object.values(ONE_SHOTS)) if (await engine.remove(o.container_name)) report.step(host, o.container_name, 'container', 'removed');
      for (const v of volumes) report.step(host, '-', `volume ${v}`, (await engine.removeVolume(v)) ? 'removed' : 'absent');
      if (isLocalHost(t.dep, host)) {
        const root = hostSetting(t.dep, host, 'node_config_directory');
        for (const service of services) {
          const dir = join(root, service);
          if (!existsSync(dir)) continue;
          rmSync(dir, { recursive: true, force: true });
          report.step(host, service, 'config', `${dir} removed`);
        }
      } else {
        report.warn(`host ${host}: its ${hostSetting(t.dep, host, 'node_config_directory')}/<service>/ directories are not removed from here`);
      }
    }
    report.info(`destroy: done (${t.hosts.length} host(s))`);
    return 0;
  },
};
