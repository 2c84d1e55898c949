// check: every enabled service's container on each selected host must exist,
// run, and (with a health check) be healthy. Kolla-Ansible fails only on
// "unhealthy"; a container still "starting" fails here too, since it does not
// serve yet. Exit 1 naming each container that is not as it should be.
import { resolveService } from '../catalogue/resolve';
import { Reporter } from '../cli/report';
import { target } from '../deploy/hosts';
import { servicesOn } from '../inventory/deployment';
import { type Verb } from './verb';

export const check: Verb = {
  name: 'check',
  summary: 'fail naming every container that is missing, stopped or not healthy',
  async run(ctx) {
    const report = new Reporter(ctx.io);
    const t = target(ctx, report, { localOnly: false });
    let good = 0;
    for (const host of t.hosts) {
      for (const service of servicesOn(t.dep, host)) {
        const r = resolveService(t.dep, host, service);
        const s = await t.engine(host).state(r.container_name);
        let problem: string | null = null;
        if (!s) problem = 'missing';
        else if (!s.running) problem = `not running (${s.status})`;
        else if (r.healthcheck && s.health !== 'healthy') problem = s.health === 'unhealthy' ? 'unhealthy' : `not healthy yet (${s.health ?? 'no health check'})`;
        if (problem) report.error(`host ${host}: ${r.container_name} is ${problem}`);
        else {
          good++;
          report.step(host, service, r.container_name, r.healthcheck ? 'healthy' : 'running');
        }
      }
    }
    report.info(`check: ${report.errors ? 'FAILED' : 'passed'} (${good} container(s) fine, ${report.errors} not)`);
    return report.errors ? 1 : 0;
  },
};
