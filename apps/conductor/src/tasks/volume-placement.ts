import { type ContainerMount } from '@zun-ts/db';

/**
 * The hosts holding the backing stores of the volumes a container mounts (the scheduler's `volume_hosts`):
 * each distinct non-null `volume.host`, in mount order. Injected files and volumes not made yet bind no host.
 */
export function volumeHostsOf(mounts: readonly ContainerMount[]): string[] {
  const hosts = mounts.map((m) => m.volume?.host ?? null).filter((h): h is string => h !== null);
  return [...new Set(hosts)];
}

/**
 * The container's status_reason when no host could take it: `base` (Zun's "There are not enough hosts
 * available.", or a recovery's reason before it), and, when volumes tie the container to hosts, which ones,
 * since that is what the user can act on (free the host, or mount volumes of one host only).
 */
export function noHostReason(base: string, volumeHosts: readonly string[]): string {
  const [only, ...others] = volumeHosts;
  if (only === undefined) return base;
  if (!others.length) return `${base} The container's volumes are on host ${only}, which cannot take it.`;
  return `${base} The container's volumes are on different hosts (${volumeHosts.join(', ')}); no host can mount them all.`;
}
