import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type HostInfo } from '@zun-ts/compute-driver';
import { inventoryOf } from './resource-tracker';

const INFO: HostInfo = {
  hostname: 'h1', cpus: 8, mem_total: 16_000, disk_total: 100, architecture: 'x86_64', os: 'Debian', os_type: 'linux',
  kernel_version: '6.1', labels: { zone: 'fast' }, runtimes: ['runc'], docker_root_dir: '/var/lib/docker', storage_driver: 'overlay2',
  disk_quota_supported: false, total_containers: 0, running_containers: 0, paused_containers: 0, stopped_containers: 0, server_version: '27.0',
};
const COUNTS = { running: 1, paused: 0, stopped: 2 };

describe('inventoryOf', () => {
  test('reports the engine\'s memory when nothing is reserved', () => {
    const inv = inventoryOf(INFO, COUNTS, 0.2);
    assert.equal(inv.mem_total, 16_000);
    assert.equal(inv.disk_total, 80);
    assert.deepEqual([inv.running_containers, inv.stopped_containers], [1, 2]);
  });

  test('[compute] reserved_host_memory_mb is taken off the memory offered to containers', () => {
    assert.equal(inventoryOf(INFO, COUNTS, 0.2, 15_872).mem_total, 128);
  });

  test('a reservation above the host\'s memory leaves nothing, never a negative total', () => {
    assert.equal(inventoryOf(INFO, COUNTS, 0.2, 20_000).mem_total, 0);
  });
});
