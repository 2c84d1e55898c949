import { mkdir, open, readdir, realpath, rename, rmdir, stat, statfs, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { KeyedLock, type Logger, type RequestContext, silentLogger, ZunError } from '@zun-ts/common';
import {
  checkFsType,
  checkVolumeId,
  checkVolumeSize,
  type EnsureMountedResult,
  type InjectedFile,
  type InjectedFileSpec,
  type LocalImageConnectionInfo,
  type VolumeAttachment,
  VolumeAttachFailed,
  type VolumeCreateResult,
  type VolumeCreateSpec,
  VolumeCreateFailed,
  VolumeDeleteFailed,
  VolumeDetachFailed,
  type VolumeDriver,
  type VolumeFsType,
  type VolumeInfo,
  VolumeAlreadyExists,
  VolumeInUse,
  VolumeNotFound,
} from './driver-contract';
import { readFsSignature } from './fs-signature';
import { CommandFailed, type CommandRunner, execFileRunner } from './host-command';
import { LocalInjectedFiles } from './local-injected-files';
import { LocalLayout, volumeIdOfImage } from './local-layout';
import { loopBackingFile, loopDevicesBackedBy } from './loop-devices';
import { type MountEntry, mountAt, readMounts } from './mountinfo';

const GiB = 1024 ** 3;

/** Options of {@link LocalVolumeDriver}. */
export interface LocalVolumeDriverOptions {
  /** `[volume] mount_prefix`; made when missing. */
  mountPrefix: string;
  /** `[volume] fstype` for volumes created without one. @default 'ext4' */
  fstype?: VolumeFsType;
  /** Host name written into connection infos. @default os.hostname() */
  host?: string;
  logger?: Logger;
  /** Runs mount, umount, losetup, mkfs.*, chattr. @default execFile with the C locale */
  run?: CommandRunner;
  /** @default '/proc/self/mountinfo' */
  mountinfoPath?: string;
  /** @default '/sys' */
  sysRoot?: string;
  /**
   * How long delete waits for the kernel to release the loop device of a volume unmounted just before
   * (the release runs in the background after the last unmount and flushes what was written) before it
   * calls the volume held by a container. @default 5000
   */
  releaseWaitMs?: number;
}

/** What one look at the host says about a volume. */
interface Found {
  id: string;
  image: string;
  size: number;
  fstype: VolumeFsType | null;
  mount: MountEntry | undefined;
  device: string | null;
}

/**
 * Volumes as filesystem images on this host (see {@link LocalLayout} for the files): `create` makes a
 * sparse image of the requested size and formats it, `attach` loop-mounts it and hands out a directory
 * inside it for containers to bind-mount, `detach` unmounts it and releases the loop device, `delete`
 * removes the image. The size is the filesystem's, so a container writing past it gets ENOSPC.
 *
 * State lives only on the host (the image files and /proc/self/mountinfo), so every call first looks at
 * what is there: a redelivered create finds the finished image, an attach finds the mount. Calls on one
 * volume id run one at a time; different volumes proceed in parallel.
 */
export class LocalVolumeDriver implements VolumeDriver {
  readonly provider = 'local';
  private readonly log: Logger;
  private readonly run: CommandRunner;
  private readonly fstype: VolumeFsType;
  private readonly host: string;
  private readonly mountinfoPath: string;
  private readonly sysRoot: string;
  private readonly releaseWaitMs: number;
  private readonly locks = new KeyedLock();
  private layoutPromise: Promise<LocalLayout> | undefined;

  constructor(private readonly opts: LocalVolumeDriverOptions) {
    this.log = (opts.logger ?? silentLogger()).child({ component: 'volume-driver-local' });
    this.run = opts.run ?? execFileRunner();
    this.fstype = checkFsType(opts.fstype ?? 'ext4');
    this.host = opts.host ?? hostname();
    this.mountinfoPath = opts.mountinfoPath ?? '/proc/self/mountinfo';
    this.sysRoot = opts.sysRoot ?? '/sys';
    this.releaseWaitMs = opts.releaseWaitMs ?? 5000;
  }

  async create(_ctx: RequestContext, spec: VolumeCreateSpec): Promise<VolumeCreateResult> {
    const id = checkVolumeId(spec.volume_id);
    const size = checkVolumeSize(spec.size);
    const fstype = spec.fstype == null ? this.fstype : checkFsType(spec.fstype);
    return this.locks.run(id, async () => {
      const layout = await this.layout();
      const existing = await this.find(layout, id);
      if (existing) {
        if (existing.size !== size || existing.fstype !== fstype) {
          throw new VolumeAlreadyExists(
            `Volume ${id} already exists on this host as ${existing.size} GiB ${existing.fstype ?? 'unformatted'} (asked for ${size} GiB ${fstype}).`,
          );
        }
        return { volume: this.info(layout, existing), created: false };
      }
      await this.makeImage(layout, id, size, fstype);
      this.log.info('volume created', { volume_id: id, size, fstype });
      const made: Found = { id, image: layout.image(id), size, fstype, mount: undefined, device: null };
      return { volume: this.info(layout, made), created: true };
    });
  }

  async attach(_ctx: RequestContext, volumeId: string): Promise<VolumeAttachment> {
    const id = checkVolumeId(volumeId);
    return this.locks.run(id, () => this.attachLocked(id));
  }

  async detach(_ctx: RequestContext, volumeId: string): Promise<void> {
    const id = checkVolumeId(volumeId);
    return this.locks.run(id, async () => {
      const layout = await this.layout();
      const mountPoint = layout.mountPoint(id);
      const image = layout.image(id);
      // Several mounts may be stacked (a crash between two attaches); take them all off, but only ours.
      for (let i = 0; i < 8; i++) {
        const m = mountAt(await readMounts(this.mountinfoPath), mountPoint);
        if (!m) break;
        if ((await loopBackingFile(m.source, this.sysRoot)) !== image) {
          throw new VolumeDetachFailed(`Another filesystem (${m.source}) is mounted at ${mountPoint}; not touching it.`);
        }
        await this.run('umount', [mountPoint]).catch((err: unknown) => {
          if (err instanceof CommandFailed && /busy/i.test(err.stderr)) {
            throw new VolumeInUse(`Volume ${id} is busy on this host and cannot be unmounted: ${err.message}`);
          }
          throw new VolumeDetachFailed(`Cannot unmount volume ${id}: ${String((err as Error).message)}`);
        });
      }
      if (mountAt(await readMounts(this.mountinfoPath), mountPoint)) throw new VolumeDetachFailed(`Volume ${id} is still mounted at ${mountPoint}.`);
      // mount -o loop sets auto-clear, so the device is normally gone already; one still bound (set up by
      // hand, or held by a container's bind mount) is detached now or as soon as its last user lets go.
      for (const dev of await loopDevicesBackedBy(image, this.sysRoot)) {
        await this.run('losetup', ['-d', dev]).catch((err: unknown) => this.log.warn('loop device not released', { volume_id: id, device: dev, err: String(err) }));
      }
      this.log.info('volume detached', { volume_id: id });
    });
  }

  async delete(_ctx: RequestContext, volumeId: string): Promise<void> {
    const id = checkVolumeId(volumeId);
    return this.locks.run(id, async () => {
      const layout = await this.layout();
      const mountPoint = layout.mountPoint(id);
      if (mountAt(await readMounts(this.mountinfoPath), mountPoint)) throw new VolumeInUse(`Volume ${id} is mounted on this host; detach it first.`);
      const held = await this.loopDevicesAfterRelease(layout.image(id));
      if (held.length) throw new VolumeInUse(`Volume ${id} is still in use on this host (${held.join(', ')} is held by a container).`);
      try {
        await this.removeMountPoint(mountPoint);
        for (const p of [layout.image(id), layout.imagePart(id)]) await unlink(p).catch(ignore('ENOENT'));
      } catch (err) {
        throw new VolumeDeleteFailed(`Cannot delete volume ${id}: ${(err as Error).message}`);
      }
      this.log.info('volume deleted', { volume_id: id });
    });
  }

  async inspect(_ctx: RequestContext, volumeId: string): Promise<VolumeInfo> {
    const id = checkVolumeId(volumeId);
    const layout = await this.layout();
    const found = await this.find(layout, id);
    if (!found) throw new VolumeNotFound(`Volume ${id} could not be found on this host.`);
    return this.info(layout, found);
  }

  async list(_ctx: RequestContext): Promise<VolumeInfo[]> {
    const layout = await this.layout();
    const names = await readdir(layout.volumesDir).catch(() => [] as string[]);
    const mounts = await readMounts(this.mountinfoPath);
    const out: VolumeInfo[] = [];
    for (const name of names.sort()) {
      const id = volumeIdOfImage(name);
      const found = id ? await this.find(layout, id, mounts) : undefined;
      if (found) out.push(this.info(layout, found));
    }
    return out;
  }

  async ensureMounted(_ctx: RequestContext, volumeIds: readonly string[]): Promise<EnsureMountedResult[]> {
    return Promise.all(
      volumeIds.map(async (volumeId): Promise<EnsureMountedResult> => {
        try {
          const id = checkVolumeId(volumeId);
          const attachment = await this.locks.run(id, () => this.attachLocked(id));
          if (attachment.mounted_now) this.log.info('volume mounted again', { volume_id: id });
          return { volume_id: volumeId, ok: true, attachment };
        } catch (err) {
          return { volume_id: volumeId, ok: false, error: err instanceof ZunError ? err : new VolumeAttachFailed(String(err)) };
        }
      }),
    );
  }

  async writeInjectedFile(_ctx: RequestContext, spec: InjectedFileSpec): Promise<InjectedFile> {
    const id = checkVolumeId(spec.id, 'injected file id');
    return this.locks.run(`file:${id}`, async () => new LocalInjectedFiles(await this.layout()).write(spec));
  }

  async removeInjectedFile(_ctx: RequestContext, fileId: string): Promise<void> {
    const id = checkVolumeId(fileId, 'injected file id');
    return this.locks.run(`file:${id}`, async () => new LocalInjectedFiles(await this.layout()).remove(id));
  }

  async listInjectedFiles(_ctx: RequestContext): Promise<InjectedFile[]> {
    return new LocalInjectedFiles(await this.layout()).list();
  }

  /** The prefix with symlinks resolved (mountinfo shows real paths), made on first use. */
  private layout(): Promise<LocalLayout> {
    this.layoutPromise ??= (async () => {
      await mkdir(this.opts.mountPrefix, { recursive: true, mode: 0o711 });
      const root = await realpath(this.opts.mountPrefix);
      const layout = new LocalLayout(root);
      await mkdir(layout.volumesDir, { recursive: true, mode: 0o711 });
      return layout;
    })();
    this.layoutPromise.catch(() => (this.layoutPromise = undefined));
    return this.layoutPromise;
  }

  private async find(layout: LocalLayout, id: string, mounts?: MountEntry[]): Promise<Found | undefined> {
    const image = layout.image(id);
    const st = await stat(image).catch(ignore('ENOENT'));
    if (!st) return undefined;
    const sig = await readFsSignature(image);
    const mount = mountAt(mounts ?? (await readMounts(this.mountinfoPath)), layout.mountPoint(id));
    const device = mount && (await loopBackingFile(mount.source, this.sysRoot)) === image ? mount.source : null;
    return { id, image, size: Math.floor(st.size / GiB), fstype: sig.fstype, mount, device };
  }

  private info(layout: LocalLayout, f: Found): VolumeInfo {
    const attached = f.device !== null;
    return {
      volume_id: f.id,
      size: f.size,
      fstype: f.fstype,
      state: attached ? 'attached' : 'available',
      host_path: attached ? layout.data(f.id) : null,
      connection_info: this.connectionInfo(layout, f),
    };
  }

  private connectionInfo(layout: LocalLayout, f: Found): LocalImageConnectionInfo {
    return {
      driver_volume_type: 'local_image',
      data: { backing_file: f.image, mount_point: layout.mountPoint(f.id), device_path: f.device, fstype: f.fstype, size_gb: f.size },
      connector: { host: this.host },
    };
  }

  /** Sparse image → mkfs → rename: `<id>.img` exists only once it holds a complete filesystem. */
  private async makeImage(layout: LocalLayout, id: string, size: number, fstype: VolumeFsType): Promise<void> {
    const fs = await statfs(layout.volumesDir);
    const free = fs.bavail * fs.bsize;
    if (free < size * GiB) {
      throw new VolumeCreateFailed(`Not enough space for a ${size} GiB volume on this host (${(free / GiB).toFixed(1)} GiB free under the mount prefix).`);
    }
    const stale = mountAt(await readMounts(this.mountinfoPath), layout.mountPoint(id));
    if (stale) throw new VolumeCreateFailed(`Cannot make volume ${id}: ${stale.source} is mounted at ${layout.mountPoint(id)} already.`);
    const part = layout.imagePart(id);
    try {
      const fh = await open(part, 'w', 0o600);
      try {
        await fh.truncate(size * GiB);
      } finally {
        await fh.close();
      }
      // The mount point is made (and made immutable) while mkfs runs: attach then only mounts.
      // allSettled: a failed mkfs must not start the clean-up while chattr may still be running.
      const steps = await Promise.allSettled([this.run(...mkfsCommand(fstype, id, part)), this.makeMountPoint(layout.mountPoint(id), true)]);
      for (const r of steps) if (r.status === 'rejected') throw r.reason;
      await rename(part, layout.image(id));
      await syncDir(layout.volumesDir);
    } catch (err) {
      await unlink(part).catch(() => undefined);
      await this.removeMountPoint(layout.mountPoint(id)).catch(() => undefined);
      throw new VolumeCreateFailed(`Cannot make the ${size} GiB ${fstype} volume ${id}: ${(err as Error).message}`);
    }
  }

  private async attachLocked(id: string): Promise<VolumeAttachment> {
    const layout = await this.layout();
    const found = await this.find(layout, id);
    if (!found) throw new VolumeNotFound(`Volume ${id} could not be found on this host.`);
    const mountPoint = layout.mountPoint(id);
    let mountedNow = false;
    if (found.mount && !found.device) {
      throw new VolumeAttachFailed(`Another filesystem (${found.mount.source}) is mounted at ${mountPoint}; not touching it.`);
    }
    if (!found.mount) {
      if (!found.fstype) throw new VolumeAttachFailed(`Volume ${id} holds no filesystem this host can mount.`);
      await this.makeMountPoint(mountPoint);
      await this.run('mount', ['-t', found.fstype, '-o', 'loop,nodev,nosuid', found.image, mountPoint]).catch((err: unknown) => {
        throw new VolumeAttachFailed(`Cannot mount volume ${id}: ${(err as Error).message}`);
      });
      mountedNow = true;
    }
    // The directory containers see; inside the filesystem, so it only exists while the volume is mounted.
    await mkdir(layout.data(id), { mode: 0o755 }).catch(ignore('EEXIST'));
    const now = mountedNow ? await this.find(layout, id) : found;
    if (!now?.device) throw new VolumeAttachFailed(`Volume ${id} is not mounted at ${mountPoint} after mount.`);
    if (mountedNow) this.log.info('volume attached', { volume_id: id, device: now.device });
    return { volume_id: id, host_path: layout.data(id), mounted_now: mountedNow, connection_info: this.connectionInfo(layout, now) };
  }

  /**
   * An empty mount point marked immutable: while the volume is not mounted (after a reboot, before the
   * compute service mounts it again) nothing, not even Docker making a missing bind source, can create
   * files in it, so a container can never write a volume's data onto the host's own disk. Create sets
   * the flag even on a directory left by an earlier attempt; attach only on a directory it had to make.
   */
  private async makeMountPoint(mountPoint: string, evenIfThere = false): Promise<void> {
    const made = await mkdir(mountPoint, { mode: 0o755 }).then(
      () => true,
      ignore('EEXIST', () => false),
    );
    if (!made && !evenIfThere) return;
    await this.run('chattr', ['+i', mountPoint]).catch((err: unknown) =>
      this.log.warn('mount point not made immutable (filesystem without attributes?)', { mount_point: mountPoint, err: String(err) }),
    );
  }

  /** Loop devices still bound to `image` once the kernel had up to `releaseWaitMs` to let them go. */
  private async loopDevicesAfterRelease(image: string): Promise<string[]> {
    const end = Date.now() + this.releaseWaitMs;
    for (;;) {
      const held = await loopDevicesBackedBy(image, this.sysRoot);
      if (!held.length || Date.now() >= end) return held;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async removeMountPoint(mountPoint: string): Promise<void> {
    const st = await stat(mountPoint).catch(ignore('ENOENT'));
    if (!st) return;
    await this.run('chattr', ['-i', mountPoint]).catch(() => undefined);
    await rmdir(mountPoint).catch(ignore('ENOENT'));
  }
}

/** mkfs argv for a new, all-zero image whose filesystem uuid is the volume id. */
export function mkfsCommand(fstype: VolumeFsType, id: string, file: string): [string, string[]] {
  switch (fstype) {
    case 'ext4':
      // -m 0: the whole size is usable by the container's (often non-root) user. The image is fresh and
      // sparse, so it reads as zeros: the journal and inode tables need no zeroing and no discard.
      return ['mkfs.ext4', ['-q', '-F', '-m', '0', '-U', id, '-E', 'lazy_itable_init=1,lazy_journal_init=1,nodiscard', file]];
    case 'xfs':
      return ['mkfs.xfs', ['-q', '-f', '-K', '-m', `uuid=${id}`, file]];
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A rejection handler that turns the given errno codes into `fallback()` (undefined by default). */
function ignore<T = undefined>(code: string, fallback?: () => T): (err: NodeJS.ErrnoException) => T {
  return (err) => {
    if (err.code === code) return fallback ? fallback() : (undefined as T);
    throw err;
  };
}
