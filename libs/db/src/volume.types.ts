import { type ServiceIdentifier } from 'inversify';
import { type Volume, type VolumeMapping, type VolumeStatus } from '@zun-ts/objects';
import { type PageOptions } from './pagination';

/** Which volumes a caller sees: its project's, or every project's (admin `all_projects`). */
export interface VolumeScope {
  projectId: string | null;
  allProjects: boolean;
}

/** A new volume: `uuid`, `size` and `project_id` are required; the rest has the column's default. */
export type NewVolume = Pick<Volume, 'uuid' | 'size' | 'project_id'> & Partial<Omit<Volume, 'id' | 'uuid' | 'size' | 'project_id' | 'created_at' | 'updated_at'>>;

/** Fields of a volume that may change after it was made. */
export type VolumePatch = Partial<Pick<Volume, 'status' | 'status_reason' | 'host' | 'connection_info' | 'fstype' | 'name'>>;

/** Conditions of a conditional volume update: the row must currently match every one given. */
export interface VolumeExpectation {
  status?: VolumeStatus[];
  /** The row's host must be one of these (null: not made yet). */
  host?: (string | null)[];
}

/**
 * A mount a container create asks for, before any row exists:
 * - `new`: a volume made for the container (a `size=` mount): a volume row (auto_remove) and its mapping;
 * - `existing`: a volume the caller owns, reserved for the container (see {@link MountPlan});
 * - `file`: an injected file (`type=bind`): a mapping row only, with the base64 text in `contents`.
 */
export type PlannedMount =
  | { kind: 'new'; mapping_uuid: string; container_path: string; volume: NewVolume }
  | { kind: 'existing'; mapping_uuid: string; container_path: string; volume_uuid: string }
  | { kind: 'file'; mapping_uuid: string; container_path: string; contents: string };

/** Every mount of a new container, written in the same transaction as the container row. */
export interface MountPlan {
  mounts: PlannedMount[];
}

/** A mount of a container as a compute host needs it: the mapping and, unless it is an injected file, its volume. */
export interface ContainerMount {
  mapping: VolumeMapping;
  volume: Volume | null;
}

/** A volume whose mapping to a container was just removed, and how many mappings it still has. */
export interface ReleasedVolume {
  volume: Volume;
  remaining: number;
}

/** A volume of a host and the containers that mount it. */
export interface HostVolume {
  volume: Volume;
  container_uuids: string[];
}

/** Where a volume is mounted, for the API's view. */
export interface VolumeAttachment {
  container_uuid: string;
  container_path: string;
}

/** Options of {@link VolumeRepository.list}. */
export type VolumeListOptions = PageOptions;

/**
 * Volumes and the mounts of containers (tables `volume` and `volume_mapping`).
 *
 * Reservation rule: a volume that is not `shareable` is mounted by at most one container. Reserving it for a
 * container (a create's {@link MountPlan}) is one conditional UPDATE (`available` → `in-use`), so of two racing
 * creates exactly one gets it and the other fails with VolumeInUse (409) and writes nothing. A shareable volume
 * may be reserved while `in-use`. A volume that is `deleting` or `error` is never reserved.
 */
export interface VolumeRepository {
  /** Inserts a volume (no quota check: see QuotaRepository.createVolume). */
  create(volume: NewVolume): Promise<Volume>;
  /** Throws VolumeNotFound. Uuids are compared in lower case. */
  getByUuid(scope: VolumeScope, uuid: string): Promise<Volume>;
  /** Throws VolumeNotFound, or Conflict (409) when several volumes in scope share the name. */
  getByName(scope: VolumeScope, name: string): Promise<Volume>;
  /** By uuid when `ident` looks like a uuid, else by name (zun-api.md §2.2). */
  getByIdent(scope: VolumeScope, ident: string): Promise<Volume>;
  /** One page of the scope's volumes. Throws InvalidValue (bad sort key, direction, limit) and MarkerNotFound. */
  list(scope: VolumeScope, opts?: VolumeListOptions): Promise<Volume[]>;
  /**
   * One conditional UPDATE of `patch` (and `updated_at`). Returns the row; throws Conflict (409) when the
   * expectation failed, VolumeNotFound when there is no row.
   */
  update(uuid: string, patch: VolumePatch, expected?: VolumeExpectation): Promise<Volume>;
  /** Deletes the row when it matches `expected` (Conflict otherwise). An absent row is fine (idempotent). */
  destroy(uuid: string, expected?: VolumeExpectation): Promise<void>;
  /**
   * Binds a volume to the host that made its backing store: sets `host` when it is null; a volume already on
   * `host` is returned as it is; one on another host throws VolumeInUse (409) naming that host.
   */
  bindHost(uuid: string, host: string): Promise<Volume>;
  /** The container's mounts, in the order they were requested (mapping id). */
  mountsOf(containerUuid: string): Promise<ContainerMount[]>;
  /**
   * Removes the container's mapping rows in one transaction and returns each volume they named with the
   * number of mappings it still has. A volume left with none becomes `deleting` when `auto_remove`, else
   * `available`. Idempotent: a second call finds nothing and returns [].
   */
  releaseMounts(containerUuid: string): Promise<ReleasedVolume[]>;
  /** Every volume whose backing store is on `host`, with the containers mounting it. */
  onHost(host: string): Promise<HostVolume[]>;
  /** Where each of these volumes (volume.id) is mounted, for views. */
  attachmentsOf(volumeIds: readonly number[]): Promise<Map<number, VolumeAttachment[]>>;
}

/** Injection token of the {@link VolumeRepository}. */
export const VOLUME_REPOSITORY: ServiceIdentifier<VolumeRepository> = Symbol.for('zun.VolumeRepository');
