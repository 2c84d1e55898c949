import { InvalidVolumeSpec } from './volume.errors';

/**
 * How a host reaches a volume: the shape of Zun's `volume_mapping.connection_info` (kept as JSON text in the
 * database). For Cinder this is what `initialize_connection` answers (`driver_volume_type` `iscsi`, `rbd` ...
 * with the target in `data`), plus the host's connector and, once connected, `data.device_path`. Drivers
 * add their own keys to `data`.
 */
export interface VolumeConnectionInfo {
  /** `local_image` for the local driver; Cinder's protocol name (`iscsi`, `rbd`, `nfs` ...) for Cinder. */
  driver_volume_type: string;
  /** Protocol data. `device_path` is the block device on the host while the volume is connected. */
  data: { device_path?: string | null; [key: string]: unknown };
  /** The host side of the connection (Cinder: os-brick connector properties such as `host`, `initiator`). */
  connector?: Record<string, unknown> | null;
}

/** Connection info of the local driver: a filesystem image file on this host, loop-mounted while attached. */
export interface LocalImageConnectionInfo extends VolumeConnectionInfo {
  driver_volume_type: 'local_image';
  data: {
    /** The image file holding the filesystem. */
    backing_file: string;
    /** Where the filesystem is mounted on the host while attached. */
    mount_point: string;
    /** Loop device while attached, else null (it changes from one attach to the next). */
    device_path: string | null;
    fstype: string | null;
    size_gb: number;
  };
  connector: { host: string } | null;
}

/** JSON text for the database column. */
export function serializeConnectionInfo(info: VolumeConnectionInfo): string {
  return JSON.stringify(info);
}

/** Parses the database column; throws {@link InvalidVolumeSpec} on text that is not a connection info. */
export function parseConnectionInfo(text: string): VolumeConnectionInfo {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InvalidVolumeSpec('connection_info is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidVolumeSpec('connection_info is not an object');
  const o = v as Record<string, unknown>;
  if (typeof o.driver_volume_type !== 'string' || !o.driver_volume_type) throw new InvalidVolumeSpec('connection_info has no driver_volume_type');
  if (typeof o.data !== 'object' || o.data === null || Array.isArray(o.data)) throw new InvalidVolumeSpec('connection_info has no data object');
  const data = o.data as Record<string, unknown>;
  if (data.device_path !== undefined && data.device_path !== null && typeof data.device_path !== 'string') {
    throw new InvalidVolumeSpec('connection_info data.device_path is not a string');
  }
  const connector = o.connector;
  if (connector !== undefined && connector !== null && (typeof connector !== 'object' || Array.isArray(connector))) {
    throw new InvalidVolumeSpec('connection_info connector is not an object');
  }
  return {
    driver_volume_type: o.driver_volume_type,
    data: data as VolumeConnectionInfo['data'],
    connector: (connector as Record<string, unknown> | null | undefined) ?? null,
  };
}
