import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '@zun-ts/common';
import { loadConfig } from './config.loader';

const load = (argv: string[]) => loadConfig(argv, { env: {}, warn: (m) => assert.fail(`unexpected warning: ${m}`) });

void describe('[volume] options', () => {
  void test('defaults: the local driver, ext4, volumes under /var/lib/zun/mnt', () => {
    const { volume } = load([]);
    assert.deepEqual({ ...volume }, { volume_driver: 'local', mount_prefix: '/var/lib/zun/mnt', fstype: 'ext4' });
  });

  void test('mount_prefix and fstype can be set; a relative prefix, / and an unknown fstype are refused', () => {
    // volume_driver may name a plug-in's driver: zun-compute checks it at start (apps/compute driver-selection).
    const { volume } = load(['--volume.mount_prefix=/srv/zun/volumes', '--volume.fstype=xfs']);
    assert.equal(volume.mount_prefix, '/srv/zun/volumes');
    assert.equal(volume.fstype, 'xfs');
    assert.throws(() => load(['--volume.mount_prefix=var/lib/zun']), (e: unknown) => e instanceof ConfigError && /mount_prefix/.test(e.message));
    assert.throws(() => load(['--volume.mount_prefix=/']), ConfigError);
    assert.throws(() => load(['--volume.fstype=btrfs']), (e: unknown) => e instanceof ConfigError && /fstype/.test(e.message));
    assert.equal(load(['--volume.volume_driver=cinder']).volume.volume_driver, 'cinder');
  });
});
