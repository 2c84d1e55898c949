import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { InvalidValue, type RequestContext, VolumeNotFound } from '@zun-ts/common';
import { type MountPlan, type PlannedMount } from '@zun-ts/db';
import { type Volume } from '@zun-ts/objects';
import { volumeInUse, volumeNotFound, VolumeNotUsable } from '../volumes/volume.errors';
import { Base64Exception } from './container.errors';

/**
 * Largest file a `type=bind` mount may inject, decoded: its base64 text (4/3 as long) must fit the mapping's
 * `contents` column, a TEXT of 65 535 bytes on MariaDB.
 */
export const MAX_BIND_FILE_BYTES = 47 * 1024;
/** Longest container path a mount may have (the mapping's column). */
export const MAX_DESTINATION_LENGTH = 255;
/** Provider of the volumes a `size=` mount makes (the only one shipped). */
export const LOCAL_VOLUME_PROVIDER = 'local';

/** What the mount checks need from outside. */
export interface MountDeps {
  ctx: RequestContext;
  /** The caller's volume (its own project only) by uuid or name; throws VolumeNotFound. */
  findVolume(ident: string): Promise<Volume>;
}

/** One schema-valid entry of `mounts` (the schema allows only these keys, each a string but `size`). */
interface MountRequest {
  type?: string;
  source?: string;
  destination: string;
  size?: string | number;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DIGITS = /^[0-9]+$/;

/** The mount's type: absent means `volume`, as in Zun. */
function typeOf(m: MountRequest): 'volume' | 'bind' {
  const type = m.type ?? 'volume';
  if (type !== 'volume' && type !== 'bind') throw new InvalidValue(`Invalid mount type '${type}' for ${m.destination}: it must be volume or bind.`);
  return type;
}

/** A whole number of GiB, at least 1, as an int or a string of digits; null when it is not one. */
function wholeGiB(size: unknown): number | null {
  let n: number;
  if (typeof size === 'number') n = size;
  else if (typeof size === 'string' && DIGITS.test(size)) n = Number(size);
  else return null;
  return Number.isSafeInteger(n) && n >= 1 ? n : null;
}

/**
 * The container path of a mount: absolute, without `..` segments, not `/`; returned normalised
 * (`//data/./x/` → `/data/x`) so that two spellings of one path count as the same destination.
 */
export function normaliseDestination(dest: string): string {
  if (!dest.startsWith('/') || dest.includes('\0')) throw new InvalidValue(`Invalid mount destination '${dest}': it must be an absolute path.`);
  if (dest.split('/').includes('..')) throw new InvalidValue(`Invalid mount destination '${dest}': '..' is not allowed in it.`);
  const normal = posix.normalize(dest).replace(/\/+$/, '');
  if (normal === '') throw new InvalidValue(`Invalid mount destination '${dest}': it must not be the root directory.`);
  if (normal.length > MAX_DESTINATION_LENGTH) throw new InvalidValue(`Invalid mount destination: longer than ${MAX_DESTINATION_LENGTH} characters.`);
  return normal;
}

/**
 * The file content of a bind mount: `zun run --mount type=bind,source=<file>` sends the file base64-encoded.
 * Strict: the standard alphabet with padding, nothing else; at most {@link MAX_BIND_FILE_BYTES} decoded.
 */
export function checkBindContents(source: string, destination: string): void {
  if (source.length % 4 !== 0 || !STRICT_BASE64.test(source)) {
    throw new Base64Exception(`The source of the bind mount at ${destination} is not valid base64: it must be the file's content, base64-encoded.`);
  }
  const bytes = (source.length / 4) * 3 - (source.endsWith('==') ? 2 : source.endsWith('=') ? 1 : 0);
  if (bytes > MAX_BIND_FILE_BYTES) {
    throw new InvalidValue(`The file of the bind mount at ${destination} is ${bytes} bytes: at most ${MAX_BIND_FILE_BYTES} bytes (47 KiB) may be injected.`);
  }
}

/**
 * GiB of the new volumes the mounts ask for (`size` without `source`), for the early quota check. Sizes
 * that are not whole numbers are left out here: {@link planMounts} refuses them right after.
 */
export function requestedVolumeGiB(mounts: readonly unknown[]): number {
  let sum = 0;
  for (const m of mounts as MountRequest[]) {
    if ((m.type ?? 'volume') !== 'volume' || m.source !== undefined) continue;
    sum += wholeGiB(m.size) ?? 0;
  }
  return sum;
}

/**
 * Zun's mount checks on create, for schema-valid `mounts` (1.11+): each entry becomes a {@link PlannedMount}
 * with a fresh mapping uuid. `volume` with `source` reserves the caller's volume (404 when it cannot see it,
 * 409 when it cannot be mounted now); `volume` with `size` makes a volume (auto-removed with the container);
 * `bind` injects a file. Destinations must be distinct. Nothing is written here.
 */
export async function planMounts(mounts: readonly unknown[], deps: MountDeps): Promise<MountPlan> {
  const { ctx } = deps;
  const planned: PlannedMount[] = [];
  const destinations = new Set<string>();
  const reserved = new Set<string>();
  for (const m of mounts as MountRequest[]) {
    const type = typeOf(m);
    const containerPath = normaliseDestination(m.destination);
    if (destinations.has(containerPath)) throw new InvalidValue(`Duplicate mount destination ${containerPath}: each mount needs its own destination.`);
    destinations.add(containerPath);
    const mappingUuid = randomUUID();
    if (type === 'bind') {
      if (m.source === undefined) throw new InvalidValue(`The bind mount at ${containerPath} needs a source (the file's content, base64-encoded).`);
      checkBindContents(m.source, containerPath);
      planned.push({ kind: 'file', mapping_uuid: mappingUuid, container_path: containerPath, contents: m.source });
    } else if (m.source !== undefined) {
      const volume = await findCallersVolume(deps, m.source);
      if (volume.status === 'deleting' || volume.status === 'error') throw VolumeNotUsable.of(volume.uuid, volume.status);
      // The insert reserves the volume atomically; this early answer only spares a doomed write.
      if (volume.status === 'in-use' && !volume.shareable) throw volumeInUse(volume.uuid);
      if (reserved.has(volume.uuid)) throw new InvalidValue(`Volume ${m.source} is mounted twice: a volume can be mounted once per container.`);
      reserved.add(volume.uuid);
      planned.push({ kind: 'existing', mapping_uuid: mappingUuid, container_path: containerPath, volume_uuid: volume.uuid });
    } else {
      const size = wholeGiB(m.size);
      if (size === null) {
        throw new InvalidValue(`Invalid size '${String(m.size)}' for the volume at ${containerPath}: it must be a whole number of GiB, at least 1.`);
      }
      planned.push({
        kind: 'new',
        mapping_uuid: mappingUuid,
        container_path: containerPath,
        volume: {
          uuid: randomUUID(),
          size,
          project_id: ctx.projectId,
          user_id: ctx.userId,
          name: null,
          auto_remove: true,
          shareable: false,
          volume_provider: LOCAL_VOLUME_PROVIDER,
          status: 'in-use',
        },
      });
    }
  }
  return { mounts: planned };
}

/** The volume as the caller names it; whatever the lookup says, a miss is Zun's 404 for that name. */
async function findCallersVolume(deps: MountDeps, ident: string): Promise<Volume> {
  try {
    return await deps.findVolume(ident);
  } catch (e) {
    if (e instanceof VolumeNotFound) throw volumeNotFound(ident);
    throw e;
  }
}
