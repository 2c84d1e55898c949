import type Docker from 'dockerode';
import { type ContainerStats } from './driver-contract';

const MIB = 1024 * 1024;

/**
 * Zun's flat stats from one Docker stats sample. CPU % uses the delta against the previous sample times
 * the online cpus (as `docker stats` does) when the engine sent one, else total / system usage; memory
 * usage leaves out the page cache (`total_inactive_file` on cgroup v1, `inactive_file` on v2).
 */
export function toContainerStats(name: string, s: Docker.ContainerStats): ContainerStats {
  const cpu = s.cpu_stats;
  const pre = s.precpu_stats;
  const total = cpu?.cpu_usage?.total_usage ?? 0;
  const system = cpu?.system_cpu_usage ?? 0;
  const preTotal = pre?.cpu_usage?.total_usage ?? 0;
  const preSystem = pre?.system_cpu_usage ?? 0;
  const online = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 1;
  let cpuPercent = 0;
  if (preSystem > 0 && system > preSystem) {
    cpuPercent = ((total - preTotal) / (system - preSystem)) * online * 100;
  } else if (system > 0) {
    cpuPercent = (total / system) * 100;
  }

  const mem = s.memory_stats ?? ({} as Docker.MemoryStats);
  const memStats = (mem.stats ?? {}) as Record<string, number | undefined>;
  const cache = memStats.total_inactive_file ?? memStats.inactive_file ?? 0;
  const usage = Math.max(0, (mem.usage ?? 0) - cache) / MIB;
  const limit = (mem.limit ?? 0) / MIB;

  let read = 0;
  let write = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = e.op.toLowerCase();
    if (op === 'read') read += e.value;
    else if (op === 'write') write += e.value;
  }
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    rx += n.rx_bytes;
    tx += n.tx_bytes;
  }
  return {
    CONTAINER: name,
    'CPU %': cpuPercent,
    'MEM USAGE(MiB)': usage,
    'MEM LIMIT(MiB)': limit,
    'MEM %': limit > 0 ? (usage / limit) * 100 : 0,
    'BLOCK I/O(B)': `${read}/${write}`,
    'NET I/O(B)': `${rx}/${tx}`,
  };
}
