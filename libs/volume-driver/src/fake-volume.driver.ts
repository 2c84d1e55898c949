import { type RequestContext, ZunError } from '@zun-ts/common';
import { type LocalImageConnectionInfo } from './connection-info';
import {
  type EnsureMountedResult,
  type InjectedFile,
  type InjectedFileSpec,
  type VolumeAttachment,
  type VolumeCreateResult,
  type VolumeCreateSpec,
  type VolumeDriver,
  type VolumeInfo,
} from './volume-driver';
import { checkFsType, checkInjectedContents, checkVolumeId, checkVolumeSize, type VolumeFsType } from './volume-spec';
import { UnexpectedVolumeDriverCall, VolumeAlreadyExists, VolumeAttachFailed, VolumeInUse, VolumeNotFound } from './volume.errors';

/** A method of {@link VolumeDriver}. */
export type VolumeDriverMethod = Exclude<keyof VolumeDriver, 'provider'>;

/** One recorded call. */
export interface VolumeDriverCall {
  method: VolumeDriverMethod;
  args: unknown[];
}

type AnyHandler = (...args: never[]) => unknown;

/** A volume of a {@link FakeVolumeDriver.simulated} fake. */
export interface SimulatedVolume {
  size: number;
  fstype: VolumeFsType;
  attached: boolean;
  /** Simulates a container that still holds the filesystem after the host unmounted it: delete is VolumeInUse. */
  held: boolean;
}

/** Options of {@link FakeVolumeDriver.simulated}. */
export interface SimulatedVolumeDriverOptions {
  /** `[volume] mount_prefix` the paths are made under. @default '/var/lib/zun/mnt' */
  mountPrefix?: string;
  /** `[volume] fstype`. @default 'ext4' */
  fstype?: VolumeFsType;
  /** Host name in connection infos. @default 'fake-host' */
  host?: string;
}

/**
 * A strict fake for unit tests of code that uses volumes. Every call must have been announced with
 * {@link expect} (one call, in order) or {@link stub} (any number of calls); anything else rejects with
 * {@link UnexpectedVolumeDriverCall} and is remembered, so {@link verify} fails even when the code under
 * test swallowed the error. {@link simulated} pre-stubs every method with an in-memory host that follows
 * the same state machine and errors as the local driver (both run the same contract tests).
 */
export class FakeVolumeDriver implements VolumeDriver {
  readonly provider = 'local';
  /** Every call, in order (ctx included as the first argument). */
  readonly calls: VolumeDriverCall[] = [];
  /** Calls nobody expected. */
  readonly unexpected: UnexpectedVolumeDriverCall[] = [];
  private readonly queued = new Map<VolumeDriverMethod, AnyHandler[]>();
  private readonly stubs = new Map<VolumeDriverMethod, AnyHandler>();

  /** The volumes of a {@link simulated} fake by id (empty otherwise); tests may read or edit them. */
  readonly volumes = new Map<string, SimulatedVolume>();
  /** The injected files of a {@link simulated} fake by id. */
  readonly files = new Map<string, Uint8Array>();

  /** Allow exactly one more call of `method`, answered by `impl` (default: resolves to undefined). Used before stubs. */
  expect<M extends VolumeDriverMethod>(method: M, impl?: VolumeDriver[M]): this {
    const list = this.queued.get(method) ?? [];
    list.push((impl ?? (() => Promise.resolve(undefined))) as AnyHandler);
    this.queued.set(method, list);
    return this;
  }

  /** Answer every call of `method` with `impl` (replaces an earlier stub). */
  stub<M extends VolumeDriverMethod>(method: M, impl: VolumeDriver[M]): this {
    this.stubs.set(method, impl as AnyHandler);
    return this;
  }

  /** The argument lists of every call of `method`. */
  callsOf(method: VolumeDriverMethod): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** Throws when a call was unexpected or an {@link expect}ed call did not happen. */
  verify(): void {
    const first = this.unexpected[0];
    if (first) throw first;
    const pending = [...this.queued].filter(([, l]) => l.length > 0).map(([m, l]) => `${m} ×${l.length}`);
    if (pending.length) throw new Error(`FakeVolumeDriver: expected calls not made: ${pending.join(', ')}`);
  }

  /** A simulated host restart: every volume is unmounted (nothing is held any more); data and files stay. */
  simulateHostRestart(): void {
    for (const v of this.volumes.values()) Object.assign(v, { attached: false, held: false });
  }

  private dispatch<T>(method: VolumeDriverMethod, args: unknown[]): Promise<T> {
    this.calls.push({ method, args });
    const handler = this.queued.get(method)?.shift() ?? this.stubs.get(method);
    if (!handler) {
      const err = new UnexpectedVolumeDriverCall(method, args);
      this.unexpected.push(err);
      return Promise.reject(err);
    }
    return Promise.resolve().then(() => (handler as (...a: unknown[]) => T)(...args));
  }

  create(ctx: RequestContext, spec: VolumeCreateSpec): Promise<VolumeCreateResult> {
    return this.dispatch('create', [ctx, spec]);
  }
  attach(ctx: RequestContext, volumeId: string): Promise<VolumeAttachment> {
    return this.dispatch('attach', [ctx, volumeId]);
  }
  detach(ctx: RequestContext, volumeId: string): Promise<void> {
    return this.dispatch('detach', [ctx, volumeId]);
  }
  delete(ctx: RequestContext, volumeId: string): Promise<void> {
    return this.dispatch('delete', [ctx, volumeId]);
  }
  inspect(ctx: RequestContext, volumeId: string): Promise<VolumeInfo> {
    return this.dispatch('inspect', [ctx, volumeId]);
  }
  list(ctx: RequestContext): Promise<VolumeInfo[]> {
    return this.dispatch('list', [ctx]);
  }
  ensureMounted(ctx: RequestContext, volumeIds: readonly string[]): Promise<EnsureMountedResult[]> {
    return this.dispatch('ensureMounted', [ctx, volumeIds]);
  }
  writeInjectedFile(ctx: RequestContext, spec: InjectedFileSpec): Promise<InjectedFile> {
    return this.dispatch('writeInjectedFile', [ctx, spec]);
  }
  removeInjectedFile(ctx: RequestContext, id: string): Promise<void> {
    return this.dispatch('removeInjectedFile', [ctx, id]);
  }
  listInjectedFiles(ctx: RequestContext): Promise<InjectedFile[]> {
    return this.dispatch('listInjectedFiles', [ctx]);
  }

  /** A fake whose every method runs against an in-memory host (paths follow the local driver's layout). */
  static simulated(opts: SimulatedVolumeDriverOptions = {}): FakeVolumeDriver {
    const fake = new FakeVolumeDriver();
    const prefix = (opts.mountPrefix ?? '/var/lib/zun/mnt').replace(/\/+$/, '');
    const defaultFs = opts.fstype ?? 'ext4';
    const host = opts.host ?? 'fake-host';
    const mountPoint = (id: string): string => `${prefix}/volumes/${id}`;
    const filePath = (id: string): string => `${prefix}/files/${id}`;

    const connection = (id: string, v: SimulatedVolume): LocalImageConnectionInfo => ({
      driver_volume_type: 'local_image',
      data: { backing_file: `${prefix}/volumes/${id}.img`, mount_point: mountPoint(id), device_path: v.attached ? '/dev/loop0' : null, fstype: v.fstype, size_gb: v.size },
      connector: { host },
    });
    const info = (id: string, v: SimulatedVolume): VolumeInfo => ({
      volume_id: id,
      size: v.size,
      fstype: v.fstype,
      state: v.attached ? 'attached' : 'available',
      host_path: v.attached ? `${mountPoint(id)}/data` : null,
      connection_info: connection(id, v),
    });
    const get = (id: string): SimulatedVolume => {
      const v = fake.volumes.get(checkVolumeId(id));
      if (!v) throw new VolumeNotFound(`Volume ${id} could not be found on this host.`);
      return v;
    };
    const attach = (id: string): VolumeAttachment => {
      const v = get(id);
      const mountedNow = !v.attached;
      v.attached = true;
      return { volume_id: id, host_path: `${mountPoint(id)}/data`, mounted_now: mountedNow, connection_info: connection(id, v) };
    };
    const fileInfo = (id: string, bytes: Uint8Array): InjectedFile => ({ id, host_path: filePath(id), size: bytes.length });

    fake.stub('create', async (_ctx, spec) => {
      const id = checkVolumeId(spec.volume_id);
      const size = checkVolumeSize(spec.size);
      const fstype = spec.fstype == null ? defaultFs : checkFsType(spec.fstype);
      const existing = fake.volumes.get(id);
      if (existing) {
        if (existing.size !== size || existing.fstype !== fstype) {
          throw new VolumeAlreadyExists(`Volume ${id} already exists on this host as ${existing.size} GiB ${existing.fstype} (asked for ${size} GiB ${fstype}).`);
        }
        return { volume: info(id, existing), created: false };
      }
      const v: SimulatedVolume = { size, fstype, attached: false, held: false };
      fake.volumes.set(id, v);
      return { volume: info(id, v), created: true };
    });
    fake.stub('attach', async (_ctx, id) => attach(id));
    fake.stub('detach', async (_ctx, id) => {
      const v = fake.volumes.get(checkVolumeId(id));
      if (v) v.attached = false;
    });
    fake.stub('delete', async (_ctx, id) => {
      const v = fake.volumes.get(checkVolumeId(id));
      if (!v) return;
      if (v.attached) throw new VolumeInUse(`Volume ${id} is mounted on this host; detach it first.`);
      if (v.held) throw new VolumeInUse(`Volume ${id} is still in use by a container on this host.`);
      fake.volumes.delete(id);
    });
    fake.stub('inspect', async (_ctx, id) => info(id, get(id)));
    fake.stub('list', async () => [...fake.volumes].map(([id, v]) => info(id, v)).sort((a, b) => a.volume_id.localeCompare(b.volume_id)));
    fake.stub('ensureMounted', async (_ctx, ids) =>
      ids.map((id): EnsureMountedResult => {
        try {
          return { volume_id: id, ok: true, attachment: attach(id) };
        } catch (err) {
          return { volume_id: id, ok: false, error: err instanceof ZunError ? err : new VolumeAttachFailed(String(err)) };
        }
      }),
    );
    fake.stub('writeInjectedFile', async (_ctx, spec) => {
      const id = checkVolumeId(spec.id, 'injected file id');
      const bytes = checkInjectedContents(spec.contents);
      const existing = fake.files.get(id);
      if (existing && Buffer.compare(Buffer.from(existing), Buffer.from(bytes)) !== 0) {
        throw new VolumeAlreadyExists(`Injected file ${id} already exists on this host with other contents.`);
      }
      if (!existing) fake.files.set(id, Uint8Array.from(bytes));
      return fileInfo(id, bytes);
    });
    fake.stub('removeInjectedFile', async (_ctx, id) => {
      fake.files.delete(checkVolumeId(id, 'injected file id'));
    });
    fake.stub('listInjectedFiles', async () => [...fake.files].map(([id, b]) => fileInfo(id, b)).sort((a, b) => a.id.localeCompare(b.id)));
    return fake;
  }
}
