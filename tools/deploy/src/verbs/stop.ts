// stop: stops every service container on the selected hosts, Zun's services
// first and the infrastructure last (the reverse of the start order).
// `unless-stopped` keeps them stopped across an engine restart; deploy starts them.
import { resolveService } from '../catalogue/resolve';
import { Reporter } from '../cli/report';
import { target } from '../deploy/hosts';
import { servicesOn } from '../inventory/deployment';
import { type Verb } from './verb';

export const stop: Verb = {
  name: 'stop',
  summary: 'stop every service container (reverse start order); deploy starts them again',
  async run(ctx) {
    const report = new Reporter(ctx.io);
    const t = target(ctx, report, { localOnly: false });
    for (const host of t.hosts) {
      for (const service of [...servicesOn(t.dep, host)].reverse()) {
        const r = resolveService(t.dep, host, service);
        const stopped = await t.engine(host).stop(r.container_name);
        report.step(host, service, r.container_name, stopped ? 'stopped' : 'not running');
      }
    }
    report.info(`stop: done (${t.hosts.length} host(s))`);
    return 0;
  },
};
