import { Conflict, type Logger, VolumeNotFound } from '@zun-ts/common';
import {
  type ContainerMount,
  type ContainerRepository,
  type HostVolume,
  type ReleasedVolume,
  type VolumeExpectation,
  type VolumePatch,
  type VolumeRepository,
  type VolumeScope,
} from '@zun-ts/db';
import { type Volume } from '@zun-ts/objects';
import { type HostVolumePatch, type RpcCaller, type VolumeSaveRequest } from '@zun-ts/rpc';
import { HostOwnership } from './host-ownership';
import { ANY_CONTAINER, findContainer } from './find-container';

/** Every volume row, whatever its project. */
const ANY_VOLUME: VolumeScope = { projectId: null, allProjects: true };

/**
 * The only volume fields a compute host may write. The RPC schema already refuses others; this second filter
 * keeps the rule true for callers that bypass the schema (in-process use).
 */
const HOST_WRITABLE: ReadonlyArray<keyof HostVolumePatch> = ['status', 'status_reason', 'connection_info', 'fstype', 'host'];

/** The repository calls volume records make (tests pass fakes). */
export type VolumeRecordsRepository = Pick<
  VolumeRepository,
  'getByUuid' | 'update' | 'destroy' | 'bindHost' | 'mountsOf' | 'releaseMounts' | 'onHost' | 'attachmentsOf'
>;

/**
 * Volumes as the conductor keeps them for compute hosts, which hold no database credentials. A host acts only on
 * the mounts of containers placed on it and on volumes whose `host` is its own; a volume on no host yet (its
 * backing store not made) also when one of the host's containers mounts it (bind and save). Anything else is
 * answered as an absent record: ContainerNotFound for a container, VolumeNotFound for a volume; the deletes
 * (release, destroy) answer as for an absent record, which is success. Refusals are logged (HostOwnership).
 *
 * Every method is safe under redelivery: reads change nothing, bind returns a volume already on the caller's
 * host as it is, saves are conditional on the host checked, a second release finds no mappings and a second
 * destroy no row.
 */
export class VolumeRecords {
  private readonly ownership: HostOwnership;

  constructor(
    private readonly volumes: VolumeRecordsRepository,
    private readonly containers: Pick<ContainerRepository, 'getByUuid'>,
    logger: Logger,
  ) {
    this.ownership = new HostOwnership(logger);
  }

  /** containerMounts: the container must be on the caller's host (ContainerNotFound otherwise, as when absent). */
  async mounts(args: { container_uuid: string }, caller: RpcCaller): Promise<ContainerMount[]> {
    this.ownership.requireContainer(caller, await this.containers.getByUuid(ANY_CONTAINER, args.container_uuid), 'containerMounts');
    return this.volumes.mountsOf(args.container_uuid);
  }

  /**
   * volumeBind: a volume already on the caller's host is returned unchanged (a redelivery); one mounted by a
   * container of the caller's host is bound to it, or is VolumeInUse when another host bound it first (that
   * host's container won the race). Any other volume is VolumeNotFound.
   */
  async bind(args: { volume_uuid: string }, caller: RpcCaller): Promise<Volume> {
    const method = 'volumeBind';
    this.ownership.requireCompute(caller, method);
    const v = await this.volumes.getByUuid(ANY_VOLUME, args.volume_uuid);
    if (v.host === caller.host) return v;
    if (!(await this.mountedOnHost(v, caller.host))) throw this.ownership.refuseVolume(caller, v.uuid, v.host, method);
    return this.volumes.bindHost(v.uuid, caller.host);
  }

  /**
   * volumeSave: a conditional update of a volume of the caller's host, or of one on no host that a container of
   * the caller's host mounts. The update also requires the host seen here, so a volume bound by another host
   * meanwhile is a Conflict, never overwritten. Giving a volume up (`host: null`) applies only to a volume on the
   * caller's host; on a volume already on no host (a redelivered give-up) the `host` key is dropped.
   */
  async save(args: VolumeSaveRequest, caller: RpcCaller): Promise<Volume> {
    const method = 'volumeSave';
    this.ownership.requireCompute(caller, method);
    const v = await this.volumes.getByUuid(ANY_VOLUME, args.volume_uuid);
    const own = v.host === caller.host;
    if (!own && !(v.host === null && (await this.mountedOnHost(v, caller.host)))) {
      throw this.ownership.refuseVolume(caller, v.uuid, v.host, method);
    }
    const patch: VolumePatch = {};
    for (const k of HOST_WRITABLE) {
      const value = args.patch[k];
      if (value === undefined) continue;
      if (k === 'host' && (value !== null || !own)) continue;
      (patch as Record<string, unknown>)[k] = value;
    }
    const expected: VolumeExpectation = { host: [v.host] };
    if (args.expected?.status) expected.status = args.expected.status;
    return this.volumes.update(v.uuid, patch, expected);
  }

  /**
   * volumeRelease: removes the mappings of a container of the caller's host. A container that is gone (its
   * mappings went with it) or is on another host is answered with nothing released, as containerDestroy does.
   */
  async release(args: { container_uuid: string }, caller: RpcCaller): Promise<ReleasedVolume[]> {
    const method = 'volumeRelease';
    this.ownership.requireCompute(caller, method);
    const c = await findContainer(this.containers, args.container_uuid);
    if (!c || !this.ownership.owns(caller, c.uuid, c.host, method)) return [];
    return this.volumes.releaseMounts(c.uuid);
  }

  /**
   * volumeDestroy: deletes a `deleting` volume of the caller's host or on no host (Conflict for any other
   * status). An absent volume is fine; one of another host is answered as absent and left alone.
   */
  async destroy(args: { volume_uuid: string }, caller: RpcCaller): Promise<void> {
    const method = 'volumeDestroy';
    this.ownership.requireCompute(caller, method);
    const v = await this.findVolume(args.volume_uuid);
    if (!v) return;
    if (v.host !== null && v.host !== caller.host) {
      this.ownership.refuseVolume(caller, v.uuid, v.host, method);
      return;
    }
    if (v.status !== 'deleting') throw new Conflict(`Volume ${v.uuid} is ${v.status}, not deleting; it cannot be destroyed.`);
    // Conditional on what was checked: a volume reserved or bound meanwhile is a Conflict, not deleted.
    await this.volumes.destroy(v.uuid, { status: ['deleting'], host: [v.host] });
  }

  /** volumesOnHost: the caller's own volumes, whatever host a message might name. */
  async onHost(caller: RpcCaller): Promise<HostVolume[]> {
    this.ownership.requireCompute(caller, 'volumesOnHost');
    return this.volumes.onHost(caller.host);
  }

  /** True when a container placed on `host` mounts `v`. */
  private async mountedOnHost(v: Volume, host: string): Promise<boolean> {
    const attachments = (await this.volumes.attachmentsOf([v.id])).get(v.id) ?? [];
    for (const { container_uuid } of attachments) {
      if ((await findContainer(this.containers, container_uuid))?.host === host) return true;
    }
    return false;
  }


  private async findVolume(uuid: string): Promise<Volume | null> {
    try {
      return await this.volumes.getByUuid(ANY_VOLUME, uuid);
    } catch (err) {
      if (err instanceof VolumeNotFound) return null;
      throw err;
    }
  }
}
