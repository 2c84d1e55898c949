import { type HostInfo } from './driver-contract';

/** The parts of Docker's `GET /info` used for the compute node record. */
export interface DockerInfo {
  Name?: string;
  NCPU?: number;
  MemTotal?: number;
  Architecture?: string;
  OperatingSystem?: string;
  OSType?: string;
  KernelVersion?: string;
  Labels?: string[] | null;
  Runtimes?: Record<string, unknown> | null;
  DockerRootDir?: string;
  Driver?: string;
  DriverStatus?: Array<[string, string]> | null;
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
  ServerVersion?: string;
}

/** Daemon labels `["k=v", …]` as an object (a label without `=` maps to ''). */
export function parseDaemonLabels(labels: readonly string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels ?? []) {
    const eq = l.indexOf('=');
    if (eq > 0) out[l.slice(0, eq)] = l.slice(eq + 1);
    else if (l) out[l] = '';
  }
  return out;
}

/**
 * Whether the storage driver can enforce a per-container disk size at all: devicemapper, btrfs, zfs and
 * windowsfilter can; overlay2 only on xfs (and then only with project quotas, which `docker info` does not
 * show: see probeDiskQuota). Necessary, not sufficient.
 */
export function diskQuotaCandidate(storageDriver: string, backingFs: string): boolean {
  if (['devicemapper', 'btrfs', 'zfs', 'windowsfilter'].includes(storageDriver)) return true;
  return storageDriver === 'overlay2' && backingFs === 'xfs';
}

/** Host facts from `GET /info` plus the disk figures the driver measured itself. */
export function toHostInfo(info: DockerInfo, disk: { disk_total: number; disk_quota_supported: boolean }): HostInfo {
  return {
    hostname: info.Name ?? '',
    cpus: info.NCPU ?? 0,
    mem_total: Math.floor((info.MemTotal ?? 0) / (1024 * 1024)),
    disk_total: disk.disk_total,
    architecture: info.Architecture ?? '',
    os: info.OperatingSystem ?? '',
    os_type: info.OSType ?? '',
    kernel_version: info.KernelVersion ?? '',
    labels: parseDaemonLabels(info.Labels),
    runtimes: info.Runtimes && Object.keys(info.Runtimes).length ? Object.keys(info.Runtimes) : ['runc'],
    docker_root_dir: info.DockerRootDir || '/var/lib/docker',
    storage_driver: info.Driver ?? '',
    disk_quota_supported: disk.disk_quota_supported,
    total_containers: info.Containers ?? 0,
    running_containers: info.ContainersRunning ?? 0,
    paused_containers: info.ContainersPaused ?? 0,
    stopped_containers: info.ContainersStopped ?? 0,
    server_version: info.ServerVersion ?? '',
  };
}
