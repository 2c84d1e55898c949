import { type Logger, type RequestContext, VolumeInUse, ZunError } from '@zun-ts/common';
import { type ContainerCreateSpec } from '@zun-ts/compute-driver';
import { type Container, type Volume } from '@zun-ts/objects';
import { type ContainerMountInfo, type HostVolumePatch } from '@zun-ts/rpc';
import {
  checkFsType,
  type InjectedFile,
  InvalidVolumeSpec,
  serializeConnectionInfo,
  VolumeAttachFailed,
  type VolumeConnectionInfo,
  type VolumeCreateResult,
  type VolumeDriver,
} from '@zun-ts/volume-driver';
import { type ContainerRecords, errorText, isConflict } from './conductor-api';

/** One bind mount of an engine container. */
export type ContainerBind = NonNullable<ContainerCreateSpec['binds']>[number];

/** What {@link ContainerVolumes.prepare} set up for one create attempt, and what that attempt made. */
export interface PreparedMounts {
  /** For the engine create, in the order the mounts were requested. */
  binds: ContainerBind[];
  /** Volumes whose backing store this attempt made (and bound to this host). */
  madeVolumes: string[];
  /** Injected files this attempt wrote (mapping uuids). */
  writtenFiles: string[];
}

const NOTHING: PreparedMounts = { binds: [], madeVolumes: [], writtenFiles: [] };

/**
 * The mounts of this host's containers (zun-api.md §6.1 steps 1–2, delete in §6.2, "remount volumes" in
 * §6.3): volumes are made, bound to this host and mounted before `docker create`, mounted again before a
 * start, unmounted (and removed when auto_remove) after the delete. Records are read and written through
 * the conductor; the backing stores are the volume driver's.
 *
 * A volume the user made is never removed here except by its own delete (`volumeDelete`): a failed create
 * removes only what that attempt made, and a failed start touches no volume at all.
 */
export class ContainerVolumes {
  constructor(
    private readonly driver: VolumeDriver,
    private readonly records: ContainerRecords,
    private readonly logger: Logger,
  ) {}

  private get host(): string {
    return this.records.host;
  }

  private mountsOf(ctx: RequestContext, uuid: string): Promise<ContainerMountInfo[]> {
    return this.records.api.call('containerMounts', ctx, { container_uuid: uuid });
  }

  /**
   * Before `docker create` (create, rebuild, auto-heal): injected files are written, volumes not on any host
   * yet are made here and bound to this host, volumes of this host mounted. Anything else (a volume of
   * another host, a bind refused) fails, after undoing what this call made.
   */
  async prepare(ctx: RequestContext, c: Container): Promise<PreparedMounts> {
    const mounts = await this.mountsOf(ctx, c.uuid);
    if (!mounts.length) return NOTHING;
    const made: PreparedMounts = { binds: [], madeVolumes: [], writtenFiles: [] };
    try {
      const files = mounts.some((m) => m.volume === null) ? new Set((await this.driver.listInjectedFiles(ctx)).map((f) => f.id)) : new Set<string>();
      for (const { mapping, volume } of mounts) {
        const destination = mapping.container_path;
        if (!destination) throw new InvalidVolumeSpec(`Mount ${mapping.uuid} of container ${c.uuid} has no container path.`);
        if (volume === null) {
          const f = await this.writeFile(ctx, mapping.uuid, mapping.contents);
          if (!files.has(f.id)) made.writtenFiles.push(f.id);
          made.binds.push({ source: f.host_path, destination, read_only: true });
          continue;
        }
        let created: VolumeCreateResult | null = null;
        if (volume.host === null) created = await this.makeHere(ctx, volume, made);
        else this.checkHere(volume);
        const att = await this.driver.attach(ctx, volume.uuid);
        await this.saveConnection(ctx, volume, att.connection_info, created?.volume.fstype ?? null);
        made.binds.push({ source: att.host_path, destination, read_only: false });
      }
      return made;
    } catch (err) {
      await this.undo(ctx, c, made);
      throw err;
    }
  }

  /**
   * A create attempt failed after {@link prepare}: the backing stores it made are removed (and the volumes
   * given up by this host, so another host may make them), the files it wrote removed. Volumes that existed
   * before are left as they are, mounted or not. Errors are logged: the create's failure is what is reported.
   */
  async undo(ctx: RequestContext, c: Container, made: PreparedMounts): Promise<void> {
    const log = this.logger.child({ requestId: ctx.requestId, containerUuid: c.uuid });
    for (const id of made.madeVolumes) {
      try {
        await this.driver.detach(ctx, id);
        await this.driver.delete(ctx, id);
        await this.records.api.call('volumeSave', ctx, { volume_uuid: id, patch: { host: null, connection_info: null } });
        log.info('volume made by a failed create removed', { volumeUuid: id });
      } catch (err) {
        log.warn('volume made by a failed create not removed', { volumeUuid: id, error: errorText(err) });
      }
    }
    for (const id of made.writtenFiles) {
      await this.driver.removeInjectedFile(ctx, id).catch((err: unknown) => log.warn('injected file not removed', { fileId: id, error: errorText(err) }));
    }
  }

  /**
   * Before a start: the container's volumes are mounted again and its injected files written again when
   * missing (after a host restart). Throws when one cannot be, so the start fails with the reason instead of
   * the container running without its data.
   */
  async ensureReady(ctx: RequestContext, c: Container): Promise<void> {
    await this.ready(ctx, await this.mountsOf(ctx, c.uuid));
  }

  private async ready(ctx: RequestContext, mounts: ContainerMountInfo[]): Promise<void> {
    const volumes: Volume[] = [];
    for (const { mapping, volume } of mounts) {
      if (volume === null) await this.writeFile(ctx, mapping.uuid, mapping.contents);
      else volumes.push(this.checkHere(volume));
    }
    if (!volumes.length) return;
    const results = await this.driver.ensureMounted(ctx, volumes.map((v) => v.uuid));
    const failed: string[] = [];
    for (const [i, r] of results.entries()) {
      const v = volumes[i];
      if (!r.ok) failed.push(`Volume ${r.volume_id} cannot be mounted on host ${this.host}: ${r.error.message}`);
      else if (r.attachment.mounted_now && v) await this.saveConnection(ctx, v, r.attachment.connection_info, null).catch(() => undefined);
    }
    if (failed.length) throw new VolumeAttachFailed(failed.join('; '));
  }

  /**
   * After the engine container went (delete): the container's mappings are released; a volume no container
   * mounts any more is unmounted, and removed when it was made for the container (auto_remove); injected
   * files are removed. Every step is tried; the first failure is thrown afterwards. A redelivered delete
   * finds no mappings and does nothing.
   */
  async release(ctx: RequestContext, c: Container): Promise<void> {
    const mounts = await this.mountsOf(ctx, c.uuid);
    if (!mounts.length) return;
    const released = await this.records.api.call('volumeRelease', ctx, { container_uuid: c.uuid });
    const errors: unknown[] = [];
    for (const { volume, remaining } of released) {
      if (remaining > 0) continue;
      try {
        // A volume on no host has no backing store: an auto_remove one only needs its record destroyed.
        if (volume.host === null && volume.status === 'deleting') await this.records.api.call('volumeDestroy', ctx, { volume_uuid: volume.uuid });
        if (volume.host !== this.host) continue;
        if (volume.status === 'deleting') await this.remove(ctx, volume.uuid);
        else await this.driver.detach(ctx, volume.uuid);
      } catch (err) {
        errors.push(err);
      }
    }
    for (const { mapping } of mounts.filter((m) => m.volume === null)) {
      await this.driver.removeInjectedFile(ctx, mapping.uuid).catch((err: unknown) => errors.push(err));
    }
    if (errors.length) throw errors[0];
  }

  /**
   * volumeDelete: unmount and remove the backing store, then destroy the record. A failure marks the volume
   * `error` with the reason. A volume already gone is only destroyed.
   */
  async remove(ctx: RequestContext, uuid: string): Promise<void> {
    try {
      await this.driver.detach(ctx, uuid);
      await this.driver.delete(ctx, uuid);
    } catch (err) {
      this.logger.warn('volume not removed', { requestId: ctx.requestId, volumeUuid: uuid, error: errorText(err) });
      await this.trySave(ctx, uuid, { status: 'error', status_reason: errorText(err) }, ['deleting']);
      throw err;
    }
    await this.records.api.call('volumeDestroy', ctx, { volume_uuid: uuid });
    this.logger.info('volume removed', { requestId: ctx.requestId, volumeUuid: uuid });
  }

  /**
   * At start-up, before anything else runs: the volumes of this host's containers are mounted again and
   * their files written again (a host restart loses every mount), then what no container needs any more
   * is cleaned: `deleting` volumes removed, volumes no container mounts unmounted, injected files no
   * container of this host names removed (only when every container's mounts could be read).
   */
  async recover(ctx: RequestContext, containers: readonly Container[]): Promise<void> {
    const files = new Set<string>();
    let allRead = true;
    for (const c of containers) {
      let mounts: ContainerMountInfo[];
      try {
        mounts = await this.mountsOf(ctx, c.uuid);
      } catch (err) {
        allRead = false;
        this.logger.warn('mounts of a container not read', { containerUuid: c.uuid, error: errorText(err) });
        continue;
      }
      for (const m of mounts) if (m.volume === null) files.add(m.mapping.uuid);
      // A container being created gets its mounts from the create; one never made cannot start.
      if (!mounts.length || c.status === 'Creating' || !c.container_id) continue;
      try {
        await this.ready(ctx, mounts);
        this.logger.info('volumes of a container mounted again', { containerUuid: c.uuid, mounts: mounts.length });
      } catch (err) {
        this.logger.warn('volumes of a container not mounted again', { containerUuid: c.uuid, error: errorText(err) });
      }
    }
    await this.reconcile(ctx, allRead ? files : null);
  }

  private async reconcile(ctx: RequestContext, referencedFiles: ReadonlySet<string> | null): Promise<void> {
    const unused = (await this.records.api.call('volumesOnHost', ctx, {})).filter((hv) => !hv.container_uuids.length).map((hv) => hv.volume);
    const attached = unused.length ? new Set((await this.driver.list(ctx)).filter((v) => v.state === 'attached').map((v) => v.volume_id)) : new Set();
    for (const volume of unused) {
      try {
        if (volume.status === 'deleting') {
          await this.remove(ctx, volume.uuid);
        } else if (attached.has(volume.uuid)) {
          await this.driver.detach(ctx, volume.uuid);
          this.logger.info('volume no container mounts unmounted', { volumeUuid: volume.uuid });
        }
      } catch (err) {
        this.logger.warn('volume not cleaned up', { volumeUuid: volume.uuid, error: errorText(err) });
      }
    }
    if (!referencedFiles) return;
    for (const f of await this.driver.listInjectedFiles(ctx)) {
      if (referencedFiles.has(f.id)) continue;
      await this.driver
        .removeInjectedFile(ctx, f.id)
        .then(() => this.logger.info('injected file of no container removed', { fileId: f.id }))
        .catch((err: unknown) => this.logger.warn('injected file not removed', { fileId: f.id, error: errorText(err) }));
    }
  }

  /**
   * Makes the backing store of a volume on no host yet and binds the volume to this host; a store made now is
   * noted in `made` first, so that a failed bind removes it.
   */
  private async makeHere(ctx: RequestContext, volume: Volume, made: PreparedMounts): Promise<VolumeCreateResult> {
    this.checkProvider(volume);
    const fstype = volume.fstype === null ? null : checkFsType(volume.fstype);
    const created = await this.driver.create(ctx, { volume_id: volume.uuid, size: volume.size, fstype });
    if (created.created) made.madeVolumes.push(volume.uuid);
    try {
      await this.records.api.call('volumeBind', ctx, { volume_uuid: volume.uuid });
    } catch (err) {
      if (err instanceof VolumeInUse && created.created) {
        // Bound to another host meanwhile: the store made here holds nothing, and the volume is not ours to give up.
        made.madeVolumes.pop();
        await this.driver.delete(ctx, volume.uuid);
      }
      throw err;
    }
    return created;
  }

  /** The volume must be this host's. */
  private checkHere(volume: Volume): Volume {
    this.checkProvider(volume);
    if (volume.host !== this.host) throw new VolumeInUse(`Volume ${volume.uuid} is on host ${volume.host ?? '(none)'}, not on ${this.host}.`);
    return volume;
  }

  private checkProvider(volume: Volume): void {
    if (volume.volume_provider !== this.driver.provider) {
      throw new InvalidVolumeSpec(`Volume ${volume.uuid} is a ${volume.volume_provider} volume; this host keeps ${this.driver.provider} volumes.`);
    }
  }

  private writeFile(ctx: RequestContext, id: string, contents: string | null): Promise<InjectedFile> {
    if (contents === null) return Promise.reject(new InvalidVolumeSpec(`Injected file ${id} has no contents.`));
    return this.driver.writeInjectedFile(ctx, { id, contents: Buffer.from(contents, 'base64') });
  }

  /** Records how this host reaches the volume (and the filesystem it has) when it changed. */
  private async saveConnection(ctx: RequestContext, v: Volume, info: VolumeConnectionInfo, made: string | null): Promise<void> {
    const connection = serializeConnectionInfo(info);
    const found = typeof info.data.fstype === 'string' ? info.data.fstype : null;
    const fstype = made ?? found ?? v.fstype;
    if (connection === v.connection_info && fstype === v.fstype) return;
    await this.records.api.call('volumeSave', ctx, { volume_uuid: v.uuid, patch: { connection_info: connection, fstype } });
  }

  private async trySave(ctx: RequestContext, uuid: string, patch: HostVolumePatch, expected: Volume['status'][]): Promise<void> {
    try {
      await this.records.api.call('volumeSave', ctx, { volume_uuid: uuid, patch, expected: { status: expected } });
    } catch (err) {
      if (!isConflict(err) && !(err instanceof ZunError && err.status === 404)) throw err;
    }
  }
}
