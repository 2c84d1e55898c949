import { inject, injectable } from 'inversify';
import { ContainerNotFound, LOGGER, type Logger, NotAuthorized, type RequestContext } from '@zun-ts/common';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import {
  COMPUTE_NODE_REPOSITORY,
  CONTAINER_ACTION_REPOSITORY,
  CONTAINER_REPOSITORY,
  type ComputeNodeRepository,
  type ContainerActionRepository,
  type ContainerRepository,
  ZUN_SERVICE_REPOSITORY,
  type ZunServiceRepository,
} from '@zun-ts/db';
import {
  type ComputeNodeInventory,
  type Container,
  HOST_WRITABLE_CONTAINER_FIELDS,
  type Image,
  type HostContainerPatch,
  INVENTORY_FIELDS,
  type NetworkPort,
  type ServiceRegistration,
  type Volume,
  type ZunService,
} from '@zun-ts/objects';
import {
  type ActionEventRequest,
  type BuildContainerRequest,
  type ConductorRpcApi,
  type ImagePulledRequest,
  type SealedRegistryCredentials,
  type ConsoleTarget,
  type ConsoleTargetRequest,
  type ContainerMountInfo,
  type ContainerPortInfo,
  type ContainerSaveRequest,
  type CreateFailureReport,
  type ExecInstanceCreateRequest,
  type HostNetworkInfo,
  type HostVolumeInfo,
  type PortSaveRequest,
  type ReleasedVolumeInfo,
  type RpcCaller,
  type ServiceHeartbeatRequest,
  type VolumeSaveRequest,
} from '@zun-ts/rpc';
import { recordBuildEnd } from './build-metrics';
import { ConsoleRecords } from './console-records';
import { HostOwnership } from './host-ownership';
import { NetworkRecords } from './network-records';
import { RegistryRecords } from './registry-records';
import { BuildContainerTask } from './tasks/build-container.task';
import { ImageRecords } from './image-records';
import { VolumeRecords } from './volume-records';
import { ANY_CONTAINER, findContainer } from './find-container';


/**
 * The only fields a compute host may write. The RPC schema already refuses a patch with any other field;
 * this second filter keeps the rule true for callers that bypass the schema (in-process use).
 */
const PATCHABLE: ReadonlySet<string> = new Set<string>(HOST_WRITABLE_CONTAINER_FIELDS);

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
    @inject(ConsoleRecords) private readonly consoles: Pick<ConsoleRecords, 'target' | 'createExec'>,
    @inject(VolumeRecords) private readonly volumes: Pick<VolumeRecords, 'mounts' | 'bind' | 'save' | 'release' | 'destroy' | 'onHost'>,
    @inject(NetworkRecords) private readonly networks: Pick<NetworkRecords, 'containerNetworks' | 'save' | 'release' | 'onHost'>,
    @inject(ImageRecords) private readonly images: Pick<ImageRecords, 'pulled' | 'destroy'>,
    @inject(RegistryRecords) private readonly registries: Pick<RegistryRecords, 'forContainer'>,
  ) {
    this.ownership = new HostOwnership(logger);
  }

  private readonly ownership: HostOwnership;

  /** Idempotent (upsert by host and binary), as at-least-once delivery requires. A service registers only itself. */
  async serviceRegister(ctx: RequestContext, args: ServiceRegistration, caller: RpcCaller): Promise<ZunService> {
    const { host, binary, topic, availability_zone } = args;
    this.requireSelf(caller, host, binary, 'serviceRegister');
    const row = await this.services.upsert({ host, binary, topic, availability_zone });
    this.logger.info('service registered', { requestId: ctx.requestId, serviceHost: host, binary, topic });
    return row;
  }

  async serviceHeartbeat(_ctx: RequestContext, args: ServiceHeartbeatRequest, caller: RpcCaller): Promise<void> {
    this.requireSelf(caller, args.host, args.binary, 'serviceHeartbeat');
    await this.services.heartbeat(args.host, args.binary);
  }

  async ping(_ctx: RequestContext, _args: Record<string, never>): Promise<{ host: string }> {
    return { host: this.conf.DEFAULT.host };
  }

  buildContainer(ctx: RequestContext, args: BuildContainerRequest): Promise<void> {
    return this.builds.build(ctx, args);
  }

  /** Only the host the container was placed on may report that its create failed. */
  async reportCreateFailure(ctx: RequestContext, args: CreateFailureReport, caller: RpcCaller): Promise<void> {
    this.ownership.requireOwnHost(caller, args.host, 'reportCreateFailure');
    const c = await findContainer(this.containers, args.container_uuid);
    if (c) this.ownership.requireContainer(caller, c, 'reportCreateFailure');
    await this.builds.reschedule(ctx, args);
  }

  async containerGet(_ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<Container> {
    return this.ownership.requireContainer(caller, await this.containers.getByUuid(ANY_CONTAINER, args.container_uuid), 'containerGet');
  }

  async containersOnHost(_ctx: RequestContext, args: { host: string }, caller: RpcCaller): Promise<Container[]> {
    this.ownership.requireOwnHost(caller, args.host, 'containersOnHost');
    // Every row placed here: containers, and capsules with their members (the host builds, syncs and deletes them).
    return this.containers.list(ANY_CONTAINER, { filters: { host: args.host } });
  }

  /** A conditional update: losing to a concurrent change throws ContainerStateConflict (409) to the host. */
  async containerSave(_ctx: RequestContext, args: ContainerSaveRequest, caller: RpcCaller): Promise<Container> {
    const before = await this.containers.getByUuid(ANY_CONTAINER, args.container_uuid);
    this.ownership.requireContainer(caller, before, 'containerSave');
    const patch: HostContainerPatch = {};
    for (const [k, v] of Object.entries(args.patch)) {
      if (PATCHABLE.has(k) && v !== undefined) (patch as Record<string, unknown>)[k] = v;
    }
    const saved = await this.containers.update(args.container_uuid, patch, args.expected ?? {});
    recordBuildEnd(before, saved.status);
    return saved;
  }

  /**
   * Releases the claim (exactly once, inside the same transaction) and deletes the row; an absent row is fine.
   * A row of another host is answered as an absent one (nothing is deleted), so the answer reveals nothing.
   */
  async containerDestroy(ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<void> {
    this.ownership.requireCompute(caller, 'containerDestroy');
    const c = await findContainer(this.containers, args.container_uuid);
    if (!c || !this.ownership.owns(caller, c.uuid, c.host, 'containerDestroy')) return;
    try {
      await this.containers.destroy(args.container_uuid);
      this.logger.info('container destroyed', { requestId: ctx.requestId, containerUuid: args.container_uuid });
    } catch (err) {
      if (!(err instanceof ContainerNotFound)) throw err;
    }
  }

  /** Only inventory fields reach the row: the claim counters belong to the claims. A host reports only itself. */
  async computeNodeUpdate(_ctx: RequestContext, args: { hostname: string; inventory: ComputeNodeInventory }, caller: RpcCaller): Promise<void> {
    this.ownership.requireOwnHost(caller, args.hostname, 'computeNodeUpdate');
    const inventory: ComputeNodeInventory = {};
    for (const f of INVENTORY_FIELDS) if (args.inventory[f] !== undefined) (inventory as Record<string, unknown>)[f] = args.inventory[f];
    await this.computeNodes.upsertFromTracker(args.hostname, inventory);
  }

  async actionEventStart(_ctx: RequestContext, args: ActionEventRequest, caller: RpcCaller): Promise<void> {
    await this.requireEventOwner(caller, args, 'actionEventStart');
    await this.actions.eventStart(args.request_id, args.container_uuid, args.event, args.host);
  }

  async actionEventFinish(
    _ctx: RequestContext,
    args: ActionEventRequest & { result: 'Success' | 'Error'; traceback: string | null },
    caller: RpcCaller,
  ): Promise<void> {
    await this.requireEventOwner(caller, args, 'actionEventFinish');
    await this.actions.eventFinish(args.request_id, args.container_uuid, args.event, args.result, args.traceback);
  }

  async actionFinish(_ctx: RequestContext, args: { container_uuid: string; request_id: string }, caller: RpcCaller): Promise<void> {
    this.ownership.requireCompute(caller, 'actionFinish');
    const c = await findContainer(this.containers, args.container_uuid);
    if (c) this.ownership.requireContainer(caller, c, 'actionFinish');
    await this.actions.finish(args.container_uuid, args.request_id);
  }

  /** For zun-wsproxy: the stored token and relay address of the session a console URL names. */
  consoleTarget(_ctx: RequestContext, args: ConsoleTargetRequest): Promise<ConsoleTarget> {
    return this.consoles.target(args);
  }

  async execInstanceCreate(_ctx: RequestContext, args: ExecInstanceCreateRequest, caller: RpcCaller): Promise<void> {
    this.ownership.requireContainer(caller, await this.containers.getByUuid(ANY_CONTAINER, args.container_uuid), 'execInstanceCreate');
    await this.consoles.createExec(args);
  }

  /** Volumes of a compute host's containers and of its host: VolumeRecords holds the rules. */
  containerMounts(_ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<ContainerMountInfo[]> {
    return this.volumes.mounts(args, caller);
  }

  volumeBind(_ctx: RequestContext, args: { volume_uuid: string }, caller: RpcCaller): Promise<Volume> {
    return this.volumes.bind(args, caller);
  }

  volumeSave(_ctx: RequestContext, args: VolumeSaveRequest, caller: RpcCaller): Promise<Volume> {
    return this.volumes.save(args, caller);
  }

  volumeRelease(_ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<ReleasedVolumeInfo[]> {
    return this.volumes.release(args, caller);
  }

  volumeDestroy(_ctx: RequestContext, args: { volume_uuid: string }, caller: RpcCaller): Promise<void> {
    return this.volumes.destroy(args, caller);
  }

  /** The caller's own volumes: `caller.host` decides, the message names no host. */
  volumesOnHost(_ctx: RequestContext, _args: Record<string, never>, caller: RpcCaller): Promise<HostVolumeInfo[]> {
    return this.volumes.onHost(caller);
  }

  /** Ports of a compute host's containers and networks of its host: NetworkRecords holds the rules. */
  containerNetworks(_ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<ContainerPortInfo[]> {
    return this.networks.containerNetworks(args, caller);
  }

  portSave(ctx: RequestContext, args: PortSaveRequest, caller: RpcCaller): Promise<NetworkPort> {
    return this.networks.save(ctx, args, caller);
  }

  portRelease(ctx: RequestContext, args: { container_uuid: string; port_uuid: string | null }, caller: RpcCaller): Promise<void> {
    return this.networks.release(ctx, args, caller);
  }

  /** The caller's own networks: `caller.host` decides, the message names no host. */
  networksOnHost(_ctx: RequestContext, _args: Record<string, never>, caller: RpcCaller): Promise<HostNetworkInfo[]> {
    return this.networks.onHost(caller);
  }

  /** `/v1/images` rows of a compute host: ImageRecords holds the rules. */
  imagePulled(_ctx: RequestContext, args: ImagePulledRequest, caller: RpcCaller): Promise<Image> {
    return this.images.pulled(args, caller);
  }

  imageDestroy(_ctx: RequestContext, args: { image_uuid: string }, caller: RpcCaller): Promise<void> {
    return this.images.destroy(args, caller);
  }

  /** A read (RegistryRecords): a redelivered call changes nothing. */
  containerRegistry(_ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<SealedRegistryCredentials | null> {
    return this.registries.forContainer(args, caller);
  }


  /**
   * An event names the caller's host, and its container (while it exists: the last events of a delete
   * arrive after the row is gone) is on that host.
   */
  private async requireEventOwner(caller: RpcCaller, args: ActionEventRequest, method: string): Promise<void> {
    this.ownership.requireOwnHost(caller, args.host, method);
    const c = await findContainer(this.containers, args.container_uuid);
    if (c) this.ownership.requireContainer(caller, c, method);
  }

  /** A service registers and heartbeats only its own row. */
  private requireSelf(caller: RpcCaller, host: string, binary: string, method: string): void {
    if (caller.host === host && caller.binary === binary) return;
    this.logger.warn('conductor refused a service row of another process', { method, callerHost: caller.host, callerBinary: caller.binary, host, binary });
    throw new NotAuthorized(`${caller.binary} on ${caller.host} may not act for ${binary} on ${host}.`);
  }
}
