import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type Docker from 'dockerode';
import { toContainerStats } from './docker-stats.mapping';

describe('toContainerStats', () => {
  test("Zun's flat keys; cpu from the sample delta; page cache left out of memory", () => {
    const s = {
      cpu_stats: { cpu_usage: { total_usage: 3_000_000 }, system_cpu_usage: 200_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 100_000_000 },
      memory_stats: { usage: 110 * 1024 * 1024, limit: 1000 * 1024 * 1024, stats: { total_inactive_file: 10 * 1024 * 1024 } },
      blkio_stats: { io_service_bytes_recursive: [{ major: 8, minor: 0, op: 'Read', value: 4096 }, { major: 8, minor: 0, op: 'Write', value: 512 }, { major: 8, minor: 0, op: 'Total', value: 4608 }] },
      networks: { eth0: { rx_bytes: 200, tx_bytes: 100 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
    } as unknown as Docker.ContainerStats;
    const r = toContainerStats('web', s);
    assert.equal(r.CONTAINER, 'web');
    assert.equal(r['CPU %'], 4);
    assert.equal(r['MEM USAGE(MiB)'], 100);
    assert.equal(r['MEM LIMIT(MiB)'], 1000);
    assert.equal(r['MEM %'], 10);
    assert.equal(r['BLOCK I/O(B)'], '4096/512');
    assert.equal(r['NET I/O(B)'], '201/102');
  });

  test('without a previous sample: total / system', () => {
    const s = {
      cpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 1_000_000_000 },
      precpu_stats: { cpu_usage: { total_usage: 0 } },
      memory_stats: {},
      networks: {},
    } as unknown as Docker.ContainerStats;
    const r = toContainerStats('c', s);
    assert.equal(r['CPU %'], 0.1);
    assert.equal(r['MEM %'], 0);
    assert.equal(r['BLOCK I/O(B)'], '0/0');
  });
});
