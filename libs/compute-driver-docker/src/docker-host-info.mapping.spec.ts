import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diskQuotaCandidate, parseDaemonLabels, toHostInfo } from './docker-host-info.mapping';

describe('host info mapping', () => {
  test('daemon labels k=v become an object (values may contain =)', () => {
    assert.deepEqual(parseDaemonLabels(['zone=a', 'gpu=true', 'expr=a=b', 'flag']), { zone: 'a', gpu: 'true', expr: 'a=b', flag: '' });
    assert.deepEqual(parseDaemonLabels(null), {});
  });

  test('GET /info → HostInfo: MiB memory, runtimes, counters', () => {
    const h = toHostInfo(
      {
        Name: 'node1',
        NCPU: 2,
        MemTotal: 25_165_824_000,
        Architecture: 'x86_64',
        OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
        OSType: 'linux',
        KernelVersion: '6.1.0',
        Labels: ['rack=r1'],
        Runtimes: { runc: {}, 'io.containerd.runc.v2': {} },
        DockerRootDir: '/var/lib/docker',
        Driver: 'overlay2',
        Containers: 3,
        ContainersRunning: 1,
        ContainersPaused: 1,
        ContainersStopped: 1,
        ServerVersion: '20.10.24',
      },
      { disk_total: 40, disk_quota_supported: false },
    );
    assert.equal(h.mem_total, 24000);
    assert.deepEqual(h.labels, { rack: 'r1' });
    assert.deepEqual(h.runtimes, ['runc', 'io.containerd.runc.v2']);
    assert.deepEqual([h.cpus, h.disk_total, h.total_containers, h.paused_containers], [2, 40, 3, 1]);
    assert.deepEqual(toHostInfo({}, { disk_total: 0, disk_quota_supported: false }).runtimes, ['runc']);
  });

  test('disk quota candidates: devicemapper/btrfs/zfs; overlay2 only on xfs (the probe decides the rest)', () => {
    assert.equal(diskQuotaCandidate('devicemapper', ''), true);
    assert.equal(diskQuotaCandidate('btrfs', 'btrfs'), true);
    assert.equal(diskQuotaCandidate('overlay2', 'extfs'), false);
    assert.equal(diskQuotaCandidate('overlay2', 'xfs'), true);
    assert.equal(diskQuotaCandidate('vfs', 'xfs'), false);
  });
});
