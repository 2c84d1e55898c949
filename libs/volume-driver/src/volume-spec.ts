import { InvalidVolumeSpec } from './volume.errors';

/** Filesystems a volume driver can make. */
export const VOLUME_FSTYPES = ['ext4', 'xfs'] as const;
export type VolumeFsType = (typeof VOLUME_FSTYPES)[number];

/** Largest volume a driver accepts, in GiB (16 TiB, the ext4 file size limit with 4 KiB blocks). */
export const MAX_VOLUME_SIZE_GB = 16384;

/** Largest injected file, in bytes; the API's request body limit is normally lower. */
export const MAX_INJECTED_FILE_BYTES = 16 * 1024 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A volume id must be a lower-case uuid: it names files and mount points on the host, so anything else
 * (upper case, `..`, slashes) is refused before it reaches a path.
 */
export function checkVolumeId(id: unknown, what = 'volume id'): string {
  if (typeof id !== 'string' || !UUID.test(id)) throw new InvalidVolumeSpec(`Invalid ${what} ${JSON.stringify(id)}: a lower-case uuid is required.`);
  return id;
}

/** A size in GiB: a whole number from 1 to {@link MAX_VOLUME_SIZE_GB}. */
export function checkVolumeSize(size: unknown): number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_VOLUME_SIZE_GB) {
    throw new InvalidVolumeSpec(`Invalid volume size ${JSON.stringify(size)}: a whole number of GiB from 1 to ${MAX_VOLUME_SIZE_GB} is required.`);
  }
  return size;
}

export function checkFsType(fstype: unknown): VolumeFsType {
  if (typeof fstype !== 'string' || !(VOLUME_FSTYPES as readonly string[]).includes(fstype)) {
    throw new InvalidVolumeSpec(`Invalid filesystem ${JSON.stringify(fstype)}: one of ${VOLUME_FSTYPES.join(', ')} is required.`);
  }
  return fstype as VolumeFsType;
}

export function checkInjectedContents(contents: unknown): Uint8Array {
  if (!(contents instanceof Uint8Array)) throw new InvalidVolumeSpec('Injected file contents must be bytes.');
  if (contents.length > MAX_INJECTED_FILE_BYTES) {
    throw new InvalidVolumeSpec(`Injected file of ${contents.length} bytes is larger than ${MAX_INJECTED_FILE_BYTES} bytes.`);
  }
  return contents;
}
