import { field, type ObjectDef } from './fields';

/**
 * A volume mounted into a container. Zun keeps the volume in a table of its own; here the volume's
 * fields (provider, cinder id, connection info, contents) live on the mapping.
 */
export interface VolumeMapping {
  id: number;
  uuid: string;
  project_id: string | null;
  user_id: string | null;
  /** `cinder` or `local`. */
  volume_provider: string;
  cinder_volume_id: string | null;
  container_path: string | null;
  container_uuid: string | null;
  /** Driver-specific attachment data (JSON text). */
  connection_info: string | null;
  host: string | null;
  auto_remove: boolean;
  /** Inline file contents for local volumes. */
  contents: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const VolumeMappingObject: ObjectDef<VolumeMapping, 'VolumeMapping'> = {
  name: 'VolumeMapping',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    uuid: field.string(),
    project_id: field.string({ nullable: true }),
    user_id: field.string({ nullable: true }),
    volume_provider: field.string(),
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
