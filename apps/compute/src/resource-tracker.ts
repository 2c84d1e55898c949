import { readFile } from 'node:fs/promises';
import { adminContext, type Logger, type RequestContext } from '@zun-ts/common';
import { type ContainerDriver, type HostInfo } from '@zun-ts/compute-driver';
import { type ComputeNodeInventory } from '@zun-ts/objects';
import { type ContainerRecords } from './conductor-api';
import { COMPUTE_HOST_LABEL } from './container-mapping';

/** `MemFree` and `MemAvailable` of /proc/meminfo in MiB, when readable. */
export async function readMeminfo(path = '/proc/meminfo'): Promise<{ mem_free?: number; mem_available?: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  const kib = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m?.[1] === undefined ? undefined : Math.floor(Number(m[1]) / 1024);
  };
  const out: { mem_free?: number; mem_available?: number } = {};
  const free = kib('MemFree');
  const available = kib('MemAvailable');
  if (free !== undefined) out.mem_free = free;
  if (available !== undefined) out.mem_available = available;
  return out;
}

/**
 * The inventory of a host; `reserveDiskForImage` is `[compute] reserve_disk_for_image` (a fraction kept for
 * images), `reservedHostMemoryMb` is `[compute] reserved_host_memory_mb` (MiB kept for the host itself).
 */
export function inventoryOf(
  info: HostInfo,
  counts: { running: number; paused: number; stopped: number },
  reserveDiskForImage: number,
  reservedHostMemoryMb = 0,
): ComputeNodeInventory {
  return {
    // Without Placement there is no separate "reserved" figure: what the scheduler and the claims see is
    // what containers may have.
    mem_total: Math.max(0, info.mem_total - reservedHostMemoryMb),
    cpus: info.cpus,
    disk_total: Math.floor(info.disk_total * (1 - reserveDiskForImage)),
    architecture: info.architecture,
    os: info.os,
    os_type: info.os_type,
    kernel_version: info.kernel_version,
    labels: { ...info.labels },
    runtimes: [...info.runtimes],
    disk_quota_supported: info.disk_quota_supported,
    enable_cpu_pinning: false,
    running_containers: counts.running,
    paused_containers: counts.paused,
    stopped_containers: counts.stopped,
  };
}

/**
 * Reports this host's resources to the conductor (compute_node row): total cpus, memory and disk, the
 * engine's facts, and how many of this host's containers run, are paused or stopped. What containers
 * use (`*_used`, `total_containers`) is counted by the conductor's claims, never here.
 */
export class ResourceTracker {
  private last: HostInfo | null = null;

  constructor(
    private readonly driver: ContainerDriver,
    private readonly records: ContainerRecords,
    private readonly reserveDiskForImage: number,
    private readonly logger: Logger,
    private readonly reservedHostMemoryMb = 0,
    /** `[network] underlay_ip`, what other hosts list this one as in a network's peers; null when unset. */
    private readonly underlayIp: string | null = null,
  ) {}

  /** Whether the host can cap a container's disk; null before the first report. */
  diskQuotaSupported(): boolean | null {
    return this.last ? this.last.disk_quota_supported : null;
  }

  async update(ctx: RequestContext = adminContext()): Promise<void> {
    const [info, containers, mem] = await Promise.all([this.driver.hostInfo(ctx), this.driver.list(ctx), readMeminfo()]);
    this.last = info;
    const mine = containers.filter((c) => c.labels[COMPUTE_HOST_LABEL] === this.records.host);
    const counts = {
      running: mine.filter((c) => c.state === 'running').length,
      paused: mine.filter((c) => c.state === 'paused').length,
      stopped: mine.filter((c) => c.state !== 'running' && c.state !== 'paused').length,
    };
    const inventory = { ...inventoryOf(info, counts, this.reserveDiskForImage, this.reservedHostMemoryMb), ...mem, underlay_ip: this.underlayIp };
    await this.records.api.call('computeNodeUpdate', ctx, { hostname: this.records.host, inventory });
    this.logger.debug('host resources reported', { cpus: info.cpus, memTotal: info.mem_total, diskTotal: inventory.disk_total, ...counts });
  }
}
