// genconfig: renders /etc/kolla/<service>/ (config.json and the service's
// files, merged with the operator's overrides) for every host that runs a
// service. With --root DIR each host's tree goes to DIR/<host>/<node_config_directory>/
// (a staging copy); without it, to node_config_directory on this machine, which
// is only right for hosts the tool runs on (ansible_connection=local).
import { join, resolve } from 'node:path';
import { UsageError } from '../cli/args';
import { limitHosts, loadDeployment } from '../cli/load';
import { Reporter } from '../cli/report';
import { renderHost, writeRendered } from '../config/render';
import { deployedHosts, hostSetting, isLocalHost, sharedConfigDirs } from '../inventory/deployment';
import { type Verb } from './verb';

export const genconfig: Verb = {
  name: 'genconfig',
  summary: 'render /etc/kolla/<service>/ for each host (--root DIR: into DIR/<host>/ instead)',
  run(ctx) {
    const report = new Reporter(ctx.io);
    const { dep, ignoredGlobals } = loadDeployment(ctx.opts);
    if (ignoredGlobals.length) report.warn(`globals.yml: not used by zun-kolla: ${ignoredGlobals.join(', ')}`);
    const hosts = limitHosts(dep, deployedHosts(dep), ctx.opts.limit);
    if (!hosts.length) throw new UsageError('no selected host runs an enabled service');
    const nodeDir = (host: string): string => hostSetting(dep, host, 'node_config_directory');
    const root = ctx.opts.root === undefined ? undefined : resolve(ctx.opts.root);
    if (root === undefined) {
      const remote = hosts.filter((h) => !isLocalHost(dep, h));
      if (remote.length) {
        throw new UsageError(`${remote.join(', ')}: not this machine (no ansible_connection=local); render them with --root DIR (shipping config to other hosts is part of deploy)`);
      }
      const shared = sharedConfigDirs(dep, hosts);
      if (shared) throw new UsageError(`${shared.hosts.join(', ')} would share ${shared.dir} on this machine; give each its own node_config_directory, or render them with --root DIR`);
    }
    for (const host of hosts) {
      const dir = root === undefined ? nodeDir(host) : join(root, host, nodeDir(host));
      const rendered = renderHost(dep, host);
      writeRendered(dir, rendered.files);
      for (const service of rendered.services) {
        const files = rendered.files.filter((f) => f.path.startsWith(`${service}/`)).map((f) => f.path.slice(service.length + 1));
        const overrides = rendered.overrides[service] ?? [];
        report.step(host, service, 'config', `${join(dir, service)}/ ${files.join(' ')}${overrides.length ? ` (overrides: ${overrides.length})` : ''}`);
      }
    }
    return Promise.resolve(0);
  },
};
