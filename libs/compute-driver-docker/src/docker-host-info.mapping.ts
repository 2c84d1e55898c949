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
 * Whether a per-container disk size can be enforced: devicemapper, btrfs, zfs and windowsfilter can;
 * overlay2 only on xfs mounted with project quotas (`mountOptions` of the file system holding the data root).
 */
export function diskQuotaSupported(storageDriver: string, backingFs: string, mountOptions: string): boolean {
  if (['devicemapper', 'btrfs', 'zfs', 'windowsfilter'].includes(storageDriver)) return true;
  return storageDriver === 'overlay2' && backingFs === 'xfs' && /(^|,)(pquota|prjquota)(,|$)/.test(mountOptions);
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

/** Mount options of the mount holding `dir`, from /proc/mounts text (longest matching mount point). */
export function mountOptionsFor(dir: string, procMounts: string): string {
  let best: { point: string; options: string } | null = null;
  for (const line of procMounts.split('\n')) {
    const [, point = '', , options = ''] = line.split(' ');
    if (!point) continue;
    const inside = dir === point || dir.startsWith(point.endsWith('/') ? point : `${point}/`);
    if (inside && (!best || point.length > best.point.length)) best = { point, options };
  }
  return best?.options ?? '';
}
