import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { type Logger } from '@zun-ts/common';
import { dockerMessage, dockerStatusCode } from './docker-errors';
import { diskQuotaCandidate, type DockerInfo } from './docker-host-info.mapping';

/** Name prefix of the probe container; never `zun-`, so the state sync never mistakes it for a Zun container. */
export const DISK_QUOTA_PROBE_PREFIX = 'disk-quota-probe-';

/**
 * Whether the engine really enforces a per-container disk size (`HostConfig.StorageOpt.size`).
 *
 * `docker info` alone cannot tell: overlay2 on xfs caps a container's writable layer only when the file
 * system is mounted with project quotas, and that mount may live in another mount namespace (or on another
 * machine) than this process. So when the storage driver could enforce it at all ({@link diskQuotaCandidate}),
 * the engine is asked: a container without an image (nothing to pull, nothing to start) is created with a
 * 1 GiB size option and removed again. The engine refuses the option where it cannot honour it ("--storage-opt
 * is supported only for overlay over xfs with 'pquota' mount option"), which answers false.
 *
 * @throws the engine's connection error when it did not answer (the caller should not cache that)
 */
export async function probeDiskQuota(api: Docker, info: DockerInfo, log: Logger): Promise<boolean> {
  const backing = (info.DriverStatus ?? []).find((p) => p[0] === 'Backing Filesystem')?.[1] ?? '';
  if (!diskQuotaCandidate(info.Driver ?? '', backing)) {
    log.info('disk quotas not supported by the storage driver', { driver: info.Driver ?? '', backingFs: backing });
    return false;
  }
  const name = `${DISK_QUOTA_PROBE_PREFIX}${randomBytes(6).toString('hex')}`;
  try {
    await api.createContainer({ name, Image: '', Cmd: ['true'], HostConfig: { StorageOpt: { size: '1G' } } });
  } catch (err) {
    if (dockerStatusCode(err) === null) throw err;
    log.warn('disk quotas not supported: the engine refused a container size', { driver: info.Driver ?? '', reason: dockerMessage(err) });
    return false;
  }
  try {
    await api.getContainer(name).remove({ force: true });
  } catch (err) {
    log.warn('could not remove the disk quota probe container', { name, reason: dockerMessage(err) });
  }
  log.info('disk quotas supported', { driver: info.Driver ?? '', backingFs: backing });
  return true;
}
