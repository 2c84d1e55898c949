import { type ServiceIdentifier } from 'inversify';
import { type RequestContext, type ZunError } from '@zun-ts/common';
import { type VolumeConnectionInfo } from './connection-info';
import { type VolumeFsType } from './volume-spec';

/** A new volume. */
export interface VolumeCreateSpec {
  /** Zun volume uuid (lower case): the volume's identity on the host; it names the backing store. */
  volume_id: string;
  /** Size in GiB (a whole number ≥ 1): the size of the filesystem, so writes past it fail with ENOSPC. */
  size: number;
  /** Null or absent: the driver's default (`[volume] fstype`). */
  fstype?: VolumeFsType | null;
}

/**
 * Where a volume is on this host. `available`: the backing store and its filesystem exist, nothing is
 * mounted; `attached`: the filesystem is mounted and {@link VolumeInfo.host_path} can be bind-mounted.
 */
export type VolumeState = 'available' | 'attached';

/** A volume as the driver finds it on this host. */
export interface VolumeInfo {
  volume_id: string;
  /** GiB. */
  size: number;
  /** The filesystem found on the backing store; null when it carries none the driver knows. */
  fstype: VolumeFsType | null;
  state: VolumeState;
  /** Bind source for containers while attached, else null. */
  host_path: string | null;
  connection_info: VolumeConnectionInfo;
}

/** Result of {@link VolumeDriver.create}. */
export interface VolumeCreateResult {
  volume: VolumeInfo;
  /** false: the volume already existed with this spec (a redelivered create) and was left as it was. */
  created: boolean;
}

/** Result of {@link VolumeDriver.attach}. */
export interface VolumeAttachment {
  volume_id: string;
  /** Host directory to bind-mount into the container (read-write unless the caller says otherwise). */
  host_path: string;
  /** true: this call mounted the volume; false: it was mounted already. */
  mounted_now: boolean;
  connection_info: VolumeConnectionInfo;
}

/** One volume of {@link VolumeDriver.ensureMounted}. */
export type EnsureMountedResult =
  | { volume_id: string; ok: true; attachment: VolumeAttachment }
  | { volume_id: string; ok: false; error: ZunError };

/** A small file to show read-only inside a container (`mounts` of `type: bind`, API ≥ 1.23). */
export interface InjectedFileSpec {
  /** Uuid of the volume record Zun makes for the file (lower case). */
  id: string;
  /** The decoded bytes (the API decodes and validates the base64 text). */
  contents: Uint8Array;
}

/** An injected file on this host. */
export interface InjectedFile {
  id: string;
  /** Host file to bind-mount, always read-only. */
  host_path: string;
  size: number;
}

/**
 * What a compute host does with volumes: make, mount, unmount and remove their backing stores, and keep the
 * files injected into containers. It knows nothing of containers or the database: the compute service keeps
 * the volume mappings (through the conductor) and decides when a volume is detached or deleted.
 *
 * Every operation is idempotent, so a redelivered RPC or a compute restart half-way is harmless:
 * - `create` of an existing id with the same spec returns it (`created: false`) and never makes a second
 *   filesystem; with a different spec it fails with VolumeAlreadyExists;
 * - `attach` of a mounted volume returns the same path; `detach` and `delete` of a volume that is already
 *   detached or gone succeed.
 *
 * States: (none) --create--> available --attach--> attached --detach--> available --delete--> (none).
 * `delete` of an attached volume fails with VolumeInUse (detach first). Errors: InvalidVolumeSpec (400),
 * VolumeNotFound (404), VolumeInUse and VolumeAlreadyExists (409), VolumeCreateFailed, VolumeAttachFailed,
 * VolumeDetachFailed, VolumeDeleteFailed (500). Operations on the same volume id run one at a time.
 */
export interface VolumeDriver {
  /** Zun's `volume_provider` value of the volumes this driver keeps (`local`). */
  readonly provider: string;

  /** Makes the backing store (size GiB) and its filesystem. The volume is `available` afterwards. */
  create(ctx: RequestContext, spec: VolumeCreateSpec): Promise<VolumeCreateResult>;
  /** Mounts the volume on this host and returns the directory to bind-mount. VolumeNotFound when it does not exist. */
  attach(ctx: RequestContext, volumeId: string): Promise<VolumeAttachment>;
  /** Unmounts the volume from this host (and releases its device). A volume that is not mounted, or gone, is fine. */
  detach(ctx: RequestContext, volumeId: string): Promise<void>;
  /** Removes the volume and its data. Gone already is fine; attached (or still held by a container) is VolumeInUse. */
  delete(ctx: RequestContext, volumeId: string): Promise<void>;
  /** One volume; VolumeNotFound when it does not exist here. */
  inspect(ctx: RequestContext, volumeId: string): Promise<VolumeInfo>;
  /** Every volume on this host, by id (for the sync after a compute restart). */
  list(ctx: RequestContext): Promise<VolumeInfo[]>;
  /**
   * Mounts each volume again when it is not mounted (after a host restart), before its containers start.
   * One result per id, in order; a failure of one volume does not stop the others.
   */
  ensureMounted(ctx: RequestContext, volumeIds: readonly string[]): Promise<EnsureMountedResult[]>;

  /**
   * Writes an injected file (read-only, mode 0444) and returns the path to bind-mount read-only. The same
   * id with the same bytes is returned as it is; different bytes are VolumeAlreadyExists.
   */
  writeInjectedFile(ctx: RequestContext, spec: InjectedFileSpec): Promise<InjectedFile>;
  /** Removes an injected file; gone already is fine. */
  removeInjectedFile(ctx: RequestContext, id: string): Promise<void>;
  /** Every injected file on this host. */
  listInjectedFiles(ctx: RequestContext): Promise<InjectedFile[]>;
}

/** The volume driver of a compute host (bound by the compute service; `[volume] volume_driver`). */
export const VOLUME_DRIVER: ServiceIdentifier<VolumeDriver> = Symbol.for('zun.VolumeDriver');
