import { inject, injectable } from 'inversify';
import { ContainerNotFound, LOGGER, type Logger, type RequestContext } from '@zun-ts/common';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import {
  COMPUTE_NODE_REPOSITORY,
  CONTAINER_ACTION_REPOSITORY,
  CONTAINER_REPOSITORY,
  type ComputeNodeRepository,
  type ContainerActionRepository,
  type ContainerRepository,
  type ContainerScope,
  type ComputeNodeInventory as DbComputeNodeInventory,
  INVENTORY_FIELDS,
  ZUN_SERVICE_REPOSITORY,
  type ZunServiceRepository,
} from '@zun-ts/db';
import { type Container, type ContainerStatus, type ServiceRegistration, type TaskState, type ZunService } from '@zun-ts/objects';
import {
  type ActionEventRequest,
  type BuildContainerRequest,
  type ComputeNodeInventory,
  type ConductorRpcApi,
  type ConsoleTarget,
  type ConsoleTargetRequest,
  type ContainerPatch,
  type CreateFailureReport,
  type ExecInstanceCreateRequest,
  type ServiceHeartbeatRequest,
} from '@zun-ts/rpc';
import { ConsoleRecords } from './console-records';
import { BuildContainerTask } from './tasks/build-container.task';

/** Every row, whatever its project or type: compute hosts act for the system. */
const ANY: ContainerScope = { projectId: null, allProjects: true, containerType: null };
/** Plain containers of every project (what a compute host runs). */
const PLAIN: ContainerScope = { projectId: null, allProjects: true };

/** The only fields a compute host may write (ContainerPatch); anything else in a message is dropped. */
const PATCHABLE: ReadonlySet<string> = new Set<keyof ContainerPatch>([
  'status', 'status_reason', 'status_detail', 'task_state', 'container_id', 'hostname', 'addresses', 'ports', 'started_at',
  'command', 'entrypoint', 'workdir', 'image', 'cpu', 'memory', 'websocket_url', 'websocket_token', 'labels', 'environment',
  'runtime', 'image_driver',
]);

/** The narrow repository views the manager uses (tests pass fakes). */
export interface ConductorRepositories {
  services: Pick<ZunServiceRepository, 'upsert' | 'heartbeat'>;
  containers: Pick<ContainerRepository, 'getByUuid' | 'list' | 'update' | 'destroy'>;
  computeNodes: Pick<ComputeNodeRepository, 'upsertFromTracker'>;
  actions: Pick<ContainerActionRepository, 'eventStart' | 'eventFinish' | 'finish'>;
}

/**
 * The conductor's RPC handlers. Compute hosts hold no database credentials: their service rows,
 * container saves, inventory and action events are written here on their behalf, and the build of
 * a new container (schedule, claim, cast, reschedule) runs here.
 */
@injectable()
export class ConductorManager implements ConductorRpcApi {
  constructor(
    @inject(ZUN_CONF) private readonly conf: Pick<ZunConf, 'DEFAULT'>,
    @inject(ZUN_SERVICE_REPOSITORY) private readonly services: ConductorRepositories['services'],
    @inject(LOGGER) private readonly logger: Logger,
    @inject(CONTAINER_REPOSITORY) private readonly containers: ConductorRepositories['containers'],
    @inject(COMPUTE_NODE_REPOSITORY) private readonly computeNodes: ConductorRepositories['computeNodes'],
    @inject(CONTAINER_ACTION_REPOSITORY) private readonly actions: ConductorRepositories['actions'],
    @inject(BuildContainerTask) private readonly builds: Pick<BuildContainerTask, 'build' | 'reschedule'>,
    @inject(ConsoleRecords) private readonly consoles?: Pick<ConsoleRecords, 'target' | 'createExec'>,
  ) {}

  /** Idempotent (upsert by host and binary), as at-least-once delivery requires. */
  async serviceRegister(ctx: RequestContext, args: ServiceRegistration): Promise<ZunService> {
    const { host, binary, topic, availability_zone } = args;
    const row = await this.services.upsert({ host, binary, topic, availability_zone });
    this.logger.info('service registered', { requestId: ctx.requestId, serviceHost: host, binary, topic });
    return row;
  }

  async serviceHeartbeat(_ctx: RequestContext, args: ServiceHeartbeatRequest): Promise<void> {
    await this.services.heartbeat(args.host, args.binary);
  }

  async ping(_ctx: RequestContext, _args: Record<string, never>): Promise<{ host: string }> {
    return { host: this.conf.DEFAULT.host };
  }

  buildContainer(ctx: RequestContext, args: BuildContainerRequest): Promise<void> {
    return this.builds.build(ctx, args);
  }

  reportCreateFailure(ctx: RequestContext, args: CreateFailureReport): Promise<void> {
    return this.builds.reschedule(ctx, args);
  }

  containerGet(_ctx: RequestContext, args: { container_uuid: string }): Promise<Container> {
    return this.containers.getByUuid(ANY, args.container_uuid);
  }

  containersOnHost(_ctx: RequestContext, args: { host: string }): Promise<Container[]> {
    return this.containers.list(PLAIN, { filters: { host: args.host } });
  }

  /** A conditional update: losing to a concurrent change throws ContainerStateConflict (409) to the host. */
  containerSave(
    _ctx: RequestContext,
    args: { container_uuid: string; patch: ContainerPatch; expected?: { status?: ContainerStatus[]; task_state?: (TaskState | null)[] } },
  ): Promise<Container> {
    const patch: ContainerPatch = {};
    for (const [k, v] of Object.entries(args.patch)) {
      if (PATCHABLE.has(k) && v !== undefined) (patch as Record<string, unknown>)[k] = v;
    }
    return this.containers.update(args.container_uuid, patch, args.expected ?? {});
  }

  /** Releases the claim (exactly once, inside the same transaction) and deletes the row; an absent row is fine. */
  async containerDestroy(ctx: RequestContext, args: { container_uuid: string }): Promise<void> {
    try {
      await this.containers.destroy(args.container_uuid);
      this.logger.info('container destroyed', { requestId: ctx.requestId, containerUuid: args.container_uuid });
    } catch (err) {
      if (!(err instanceof ContainerNotFound)) throw err;
    }
  }

  /** Only inventory fields reach the row: the claim counters belong to the claims. */
  async computeNodeUpdate(_ctx: RequestContext, args: { hostname: string; inventory: ComputeNodeInventory }): Promise<void> {
    const inventory: DbComputeNodeInventory = {};
    for (const f of INVENTORY_FIELDS) if (args.inventory[f] !== undefined) (inventory as Record<string, unknown>)[f] = args.inventory[f];
    await this.computeNodes.upsertFromTracker(args.hostname, inventory);
  }

  async actionEventStart(_ctx: RequestContext, args: ActionEventRequest): Promise<void> {
    await this.actions.eventStart(args.request_id, args.container_uuid, args.event, args.host);
  }

  async actionEventFinish(_ctx: RequestContext, args: ActionEventRequest & { result: 'Success' | 'Error'; traceback: string | null }): Promise<void> {
    await this.actions.eventFinish(args.request_id, args.container_uuid, args.event, args.result, args.traceback);
  }

  async actionFinish(_ctx: RequestContext, args: { container_uuid: string; request_id: string }): Promise<void> {
    await this.actions.finish(args.container_uuid, args.request_id);
  }

  /** For zun-wsproxy: the stored token and relay address of the session a console URL names. */
  consoleTarget(_ctx: RequestContext, args: ConsoleTargetRequest): Promise<ConsoleTarget> {
    if (!this.consoles) throw new Error('console records are not configured');
    return this.consoles.target(args);
  }

  async execInstanceCreate(_ctx: RequestContext, args: ExecInstanceCreateRequest): Promise<void> {
    if (!this.consoles) throw new Error('console records are not configured');
    await this.consoles.createExec(args);
  }
}
