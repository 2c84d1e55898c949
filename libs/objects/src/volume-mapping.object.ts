import { field, type ObjectDef } from './fields';

/**
 * A mount of a container: a volume (`volume_id`, the volume table's id) mounted at `container_path`, or a
 * file injected read-only (`volume_id` null, the base64 text in `contents`). `host` is where the mount is
 * made; `connection_info` is the volume's as the host attached it.
 */
export interface VolumeMapping {
  id: number;
  uuid: string;
  project_id: string | null;
  user_id: string | null;
  /** `cinder` or `local`. */
  volume_provider: string;
  /** The volume (volume.id); null for an injected file. */
  volume_id: number | null;
  cinder_volume_id: string | null;
  container_path: string | null;
  container_uuid: string | null;
  /** Driver-specific attachment data (JSON text). */
  connection_info: string | null;
  host: string | null;
  auto_remove: boolean;
  /** An injected file's contents, base64 as the API received them. */
  contents: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial; 1.1 volume_id. */
export const VolumeMappingObject: ObjectDef<VolumeMapping, 'VolumeMapping'> = {
  name: 'VolumeMapping',
  VERSION: '1.1',
  fields: {
    id: field.integer(),
    uuid: field.string(),
    project_id: field.string({ nullable: true }),
    user_id: field.string({ nullable: true }),
    volume_provider: field.string(),
    volume_id: field.integer({ nullable: true }),
    cinder_volume_id: field.string({ nullable: true }),
    container_path: field.string({ nullable: true }),
    container_uuid: field.string({ nullable: true }),
    connection_info: field.string({ nullable: true }),
    host: field.string({ nullable: true }),
    auto_remove: field.boolean({ default: false }),
    contents: field.string({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};
