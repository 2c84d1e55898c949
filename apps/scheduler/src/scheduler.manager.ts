import { inject, injectable } from 'inversify';
import { LOGGER, type Logger, NoValidHost, type RequestContext, RequestedHostNotFound, serializeError } from '@zun-ts/common';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import { COMPUTE_NODE_REPOSITORY, type ComputeNodeRepository, ZUN_SERVICE_REPOSITORY, type ZunServiceRepository } from '@zun-ts/db';
import { CPU_POLICIES, type CpuPolicy } from '@zun-ts/objects';
import { type SchedulerRpcApi, type SelectDestinationsRequest, type SelectDestinationsResult } from '@zun-ts/rpc';
import { FilterScheduler } from './filter-scheduler';
import { consumedBy, type HostState, hostStatesFrom, type ScheduleRequest } from './host-state';
import { SharedFreshRead } from './shared-fresh-read';

/**
 * The scheduler's RPC handlers. Host selection only reads the database: the conductor claims the
 * chosen hosts in order with an atomic conditional update, so any number of schedulers may answer
 * at the same time from snapshots that are already stale. Requests that arrive while the hosts are being read, or in
 * the same turn of the event loop, share the next read (never one that started before they came): under load a
 * process reads the compute nodes once per batch of requests instead of once per request, which is what limits it
 * with many hosts. A `selectDestinationsMany` batch is decided in order on one read, each decision taking its
 * container's resources from its first host in the batch's own copy of the states.
 */
@injectable()
export class SchedulerManager implements SchedulerRpcApi {
  private readonly snapshot: SharedFreshRead<readonly HostState[]>;

  constructor(
    @inject(ZUN_CONF) private readonly conf: Pick<ZunConf, 'DEFAULT'>,
    @inject(FilterScheduler) private readonly scheduler: Pick<FilterScheduler, 'selectHosts'>,
    @inject(COMPUTE_NODE_REPOSITORY) private readonly nodes: Pick<ComputeNodeRepository, 'listSchedulable'>,
    @inject(ZUN_SERVICE_REPOSITORY) private readonly services: Pick<ZunServiceRepository, 'list'>,
    @inject(LOGGER) private readonly logger: Logger,
  ) {
    this.snapshot = new SharedFreshRead(async () => {
      const [nodes, services] = await Promise.all([this.nodes.listSchedulable(), this.services.list()]);
      // Shared by the requests of one read. HostState is read-only in the plug-in contract; freezing the states
      // to enforce it cost a third more CPU per decision over 1,000 hosts (frozen objects read slower).
      return hostStatesFrom(nodes, services, this.conf.DEFAULT.default_availability_zone);
    });
  }

  /** Host reads made so far (tests). */
  get reads(): number {
    return this.snapshot.reads;
  }

  async ping(_ctx: RequestContext, _args: Record<string, never>): Promise<{ host: string }> {
    return { host: this.conf.DEFAULT.host };
  }

  async selectDestinations(ctx: RequestContext, args: SelectDestinationsRequest): Promise<{ hosts: string[] }> {
    const states = await this.snapshot.get();
    const hosts = this.scheduler.selectHosts(states, toScheduleRequest(args)).map((h) => h.hostname);
    this.logger.info('hosts selected', {
      requestId: ctx.requestId, containerUuid: args.container_uuid, hosts, known: states.length, ignored: args.ignore_hosts.length,
      volumeHosts: args.volume_hosts,
    });
    return { hosts };
  }

  async selectDestinationsMany(ctx: RequestContext, args: { requests: SelectDestinationsRequest[] }): Promise<{ results: SelectDestinationsResult[] }> {
    const shared = await this.snapshot.get();
    // Copied on the first decision that changes a state: the read's states are shared with other requests.
    let states: readonly HostState[] = shared;
    let own: HostState[] | null = null;
    const results: SelectDestinationsResult[] = [];
    // One log line for the batch (each decision with its container), not one per decision.
    const decisions: Array<{ containerUuid: string; hosts?: string[]; error?: string }> = [];
    for (const [i, one] of args.requests.entries()) {
      const req = toScheduleRequest(one);
      let chosen: HostState[];
      try {
        chosen = this.scheduler.selectHosts(states, req);
      } catch (err) {
        // This request's answer alone (NoValidHost, RequestedHostNotFound…); the batch goes on.
        const error = serializeError(err);
        decisions.push({ containerUuid: one.container_uuid, error: error.name });
        if (!(err instanceof NoValidHost || err instanceof RequestedHostNotFound)) {
          this.logger.error('scheduling decision failed', { requestId: ctx.requestId, containerUuid: one.container_uuid, name: error.name,
            error: error.message, stack: err instanceof Error ? err.stack : undefined });
        }
        results.push({ hosts: null, error });
        continue;
      }
      const hosts = chosen.map((h) => h.hostname);
      results.push({ hosts, error: null });
      decisions.push({ containerUuid: one.container_uuid, hosts });
      const first = chosen[0];
      if (!first || i === args.requests.length - 1) continue;
      // As Nova's consume_from_request: the next decisions see the container on the host it will most likely get.
      own ??= [...shared];
      states = own;
      const at = own.indexOf(first);
      if (at >= 0) own[at] = consumedBy(first, req);
    }
    if (decisions.length) this.logger.info('hosts selected', { requestId: ctx.requestId, batch: args.requests.length, known: shared.length, decisions });
    return { results };
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
