// What deploy, reconfigure, check, stop and destroy share: the selected hosts,
// a HostEngine per host, and the services of each host in start order.
import { UsageError } from '../cli/args';
import { limitHosts, loadDeployment } from '../cli/load';
import { type Reporter } from '../cli/report';
import { hostEndpoint } from '../docker/endpoint';
import { type Deployment, deployedHosts, isLocalHost, sharedConfigDirs } from '../inventory/deployment';
import { type VerbContext } from '../verbs/verb';
import { HostEngine } from './host';

export interface Target {
  dep: Deployment;
  hosts: string[];
  engine: (host: string) => HostEngine;
}

/** Loads the deployment and connects to each selected host's engine (without contacting it yet). */
export function target(ctx: VerbContext, report: Reporter, opts: { localOnly: boolean }): Target {
  const { dep, ignoredGlobals } = loadDeployment(ctx.opts);
  if (ignoredGlobals.length) report.warn(`globals.yml: not used by zun-kolla: ${ignoredGlobals.join(', ')}`);
  const hosts = limitHosts(dep, deployedHosts(dep), ctx.opts.limit);
  if (!hosts.length) throw new UsageError('no selected host runs an enabled service');
  if (opts.localOnly) {
    const remote = hosts.filter((h) => !isLocalHost(dep, h));
    if (remote.length) throw new UsageError(`${remote.join(', ')}: not this machine (ansible_connection=local); shipping config to other hosts is not supported yet`);
    // hosts simulated on one machine (an engine each) need a config dir each
    const shared = sharedConfigDirs(dep, deployedHosts(dep));
    if (shared) throw new UsageError(`${shared.hosts.join(', ')} share ${shared.dir} on this machine: give each host its own node_config_directory in the inventory`);
  }
  const engines = new Map<string, HostEngine>();
  const engine = (host: string): HostEngine => {
    let e = engines.get(host);
    if (!e) {
      e = new HostEngine(host, ctx.connect(hostEndpoint(dep, host)));
      engines.set(host, e);
    }
    return e;
  };
  return { dep, hosts, engine };
}

export const DEFAULT_TIMEOUT_S = 300;
