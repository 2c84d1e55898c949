import { isCanonicalUuid } from '@zun-ts/common';

/** Docker containers of Zun are named `zun-<uuid>`; the compute host rediscovers its containers by this name. */
export const CONTAINER_NAME_PREFIX = 'zun-';

/** Label carrying the Zun container uuid on every container the driver creates. */
export const ZUN_UUID_LABEL = 'zun.container.uuid';

/** `zun-<uuid>`, the engine-side name of a Zun container. */
export function containerName(uuid: string): string {
  return `${CONTAINER_NAME_PREFIX}${uuid}`;
}

/**
 * The Zun uuid in an engine-side name (`zun-<uuid>` or Docker's `/zun-<uuid>`), or null when the name is
 * not one of ours.
 */
export function uuidFromContainerName(name: string): string | null {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (!bare.startsWith(CONTAINER_NAME_PREFIX)) return null;
  const uuid = bare.slice(CONTAINER_NAME_PREFIX.length);
  return isCanonicalUuid(uuid) ? uuid : null;
}
