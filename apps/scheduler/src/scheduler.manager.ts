import { inject, injectable } from 'inversify';
import { LOGGER, type Logger, type RequestContext } from '@zun-ts/common';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import { COMPUTE_NODE_REPOSITORY, type ComputeNodeRepository, ZUN_SERVICE_REPOSITORY, type ZunServiceRepository } from '@zun-ts/db';
import { CPU_POLICIES, type CpuPolicy } from '@zun-ts/objects';
import { type SchedulerRpcApi, type SelectDestinationsRequest } from '@zun-ts/rpc';
import { FilterScheduler } from './filter-scheduler';
import { type HostState, hostStatesFrom, type ScheduleRequest } from './host-state';
import { SharedFreshRead } from './shared-fresh-read';

/**
 * The scheduler's RPC handlers. Host selection only reads the database: the conductor claims the
 * chosen hosts in order with an atomic conditional update, so any number of schedulers may answer
 * at the same time from snapshots that are already stale. Requests that arrive while the hosts are being read
 * share the next read (never one that started before they came): under load a process reads the compute nodes
 * once per batch of requests instead of once per request, which is what limits it with many hosts.
 */
@injectable()
export class SchedulerManager implements SchedulerRpcApi {
  private readonly snapshot: SharedFreshRead<readonly HostState[]>;

  constructor(
    @inject(ZUN_CONF) private readonly conf: Pick<ZunConf, 'DEFAULT'>,
    @inject(FilterScheduler) private readonly scheduler: Pick<FilterScheduler, 'selectHosts'>,
    @inject(COMPUTE_NODE_REPOSITORY) private readonly nodes: Pick<ComputeNodeRepository, 'list'>,
    @inject(ZUN_SERVICE_REPOSITORY) private readonly services: Pick<ZunServiceRepository, 'list'>,
    @inject(LOGGER) private readonly logger: Logger,
  ) {
    this.snapshot = new SharedFreshRead(async () => {
      const [nodes, services] = await Promise.all([this.nodes.list(), this.services.list()]);
      // Shared by the requests of one read. HostState is read-only in the plug-in contract; freezing the states
      // to enforce it cost a third more CPU per decision over 1,000 hosts (frozen objects read slower).
      return hostStatesFrom(nodes, services, this.conf.DEFAULT.default_availability_zone);
    });
  }

  async ping(_ctx: RequestContext, _args: Record<string, never>): Promise<{ host: string }> {
    return { host: this.conf.DEFAULT.host };
  }

  async selectDestinations(ctx: RequestContext, args: SelectDestinationsRequest): Promise<{ hosts: string[] }> {
    const states = await this.snapshot.get();
    const log = this.logger.child({ requestId: ctx.requestId, containerUuid: args.container_uuid });
    const hosts = this.scheduler.selectHosts(states, toScheduleRequest(args)).map((h) => h.hostname);
    log.info('hosts selected', { hosts, known: states.length, ignored: args.ignore_hosts, volumeHosts: args.volume_hosts });
    return { hosts };
  }
}

/** The filters' view of an RPC request; an unknown cpu policy counts as `shared`, as Zun's default. */
export function toScheduleRequest(args: SelectDestinationsRequest): ScheduleRequest {
  const policy = (CPU_POLICIES as readonly string[]).includes(args.cpu_policy ?? '') ? (args.cpu_policy as CpuPolicy) : null;
  return {
    cpu: args.cpu || null,
    memory: args.memory || null,
    disk: args.disk || null,
    runtime: args.runtime,
    hints: { ...(args.hints ?? {}) },
    availability_zone: args.availability_zone,
    requested_host: args.requested_host,
    cpu_policy: policy,
    ignore_hosts: [...(args.ignore_hosts ?? [])],
    volume_hosts: [...new Set(args.volume_hosts ?? [])],
  };
}
