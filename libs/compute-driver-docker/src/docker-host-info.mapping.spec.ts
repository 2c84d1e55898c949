import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diskQuotaSupported, mountOptionsFor, parseDaemonLabels, toHostInfo } from './docker-host-info.mapping';

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

  test('disk quota: devicemapper/btrfs/zfs yes; overlay2 only on xfs with project quota', () => {
    assert.equal(diskQuotaSupported('devicemapper', '', ''), true);
    assert.equal(diskQuotaSupported('overlay2', 'extfs', 'rw,relatime'), false);
    assert.equal(diskQuotaSupported('overlay2', 'xfs', 'rw,relatime'), false);
    assert.equal(diskQuotaSupported('overlay2', 'xfs', 'rw,relatime,prjquota'), true);
  });

  test('mount options come from the longest mount point holding the directory', () => {
    const mounts = ['/dev/sda1 / ext4 rw,relatime 0 0', '/dev/sdb1 /var/lib xfs rw,pquota 0 0', '/dev/sdc1 /var/libx xfs ro 0 0'].join('\n');
    assert.equal(mountOptionsFor('/var/lib/docker', mounts), 'rw,pquota');
    assert.equal(mountOptionsFor('/srv/docker', mounts), 'rw,relatime');
  });
});
