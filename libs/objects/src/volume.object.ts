import { field, type ObjectDef } from './fields';

/**
 * Where a volume stands:
 * - `available`: no container mounts it (its backing store may or may not exist yet, see {@link Volume.host});
 * - `in-use`: mounted by one container (by several when `shareable`);
 * - `deleting`: its backing store is being removed by its host;
 * - `error`: its host could not make or remove it (`status_reason` says why).
 */
export const VOLUME_STATUSES = ['available', 'in-use', 'deleting', 'error'] as const;
export type VolumeStatus = (typeof VOLUME_STATUSES)[number];

/**
 * A volume: a filesystem of `size` GiB that containers mount. A local volume belongs to one compute host once
 * its backing store is made there (`host`); until then `host` is null and the first container that mounts it
 * decides the host. Volumes a create made for a `size=` mount are `auto_remove`: they go with their container.
 */
export interface Volume {
  id: number;
  uuid: string;
  /** Null for volumes made by a container's `size=` mount. */
  name: string | null;
  project_id: string | null;
  user_id: string | null;
  /** GiB. */
  size: number;
  /** `local` (the only provider shipped); `cinder` is planned. */
  volume_provider: string;
  status: VolumeStatus;
  status_reason: string | null;
  /** The compute host holding the backing store; null until it is made. */
  host: string | null;
  /** Several containers (on its host) may mount it at once, all read-write. */
  shareable: boolean;
  /** Deleted with the last container that mounts it (volumes made by a `size=` mount). */
  auto_remove: boolean;
  /** Filesystem of the backing store; null: the host's default (`[volume] fstype`). */
  fstype: string | null;
  /** Cinder's volume id, for a future Cinder provider; null for local volumes. */
  cinder_volume_id: string | null;
  /** Driver-specific connection data (JSON text, see VolumeConnectionInfo of @zun-ts/volume-driver). */
  connection_info: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const VolumeObject: ObjectDef<Volume, 'Volume'> = {
  name: 'Volume',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    uuid: field.string(),
    name: field.string({ nullable: true }),
    project_id: field.string({ nullable: true }),
    user_id: field.string({ nullable: true }),
    size: field.integer(),
    volume_provider: field.string(),
    status: field.enum(VOLUME_STATUSES),
    status_reason: field.string({ nullable: true }),
    host: field.string({ nullable: true }),
    shareable: field.boolean({ default: false }),
    auto_remove: field.boolean({ default: false }),
    fstype: field.string({ nullable: true }),
    cinder_volume_id: field.string({ nullable: true }),
    connection_info: field.string({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};
