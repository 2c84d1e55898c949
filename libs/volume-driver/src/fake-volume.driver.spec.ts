import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adminContext, deserializeError, serializeError } from '@zun-ts/common';
import { parseConnectionInfo, serializeConnectionInfo } from './connection-info';
import { FakeVolumeDriver } from './fake-volume.driver';
import { volumeDriverContract } from './volume-driver.contract';
import { InvalidVolumeSpec, UnexpectedVolumeDriverCall, VolumeAttachFailed, VolumeInUse, VolumeNotFound } from './volume.errors';

const ctx = adminContext();
const A = '1a1a1a1a-0000-4000-8000-00000000001a';

void describe('FakeVolumeDriver.simulated meets the VolumeDriver contract', () => {
  volumeDriverContract(test, async () => ({ driver: FakeVolumeDriver.simulated({ mountPrefix: '/srv/zun/mnt/' }), mountPrefix: '/srv/zun/mnt', cleanup: async () => undefined }));
});

void describe('FakeVolumeDriver (strict)', () => {
  void test('an unexpected call rejects and is remembered for verify()', async () => {
    const fake = new FakeVolumeDriver();
    await assert.rejects(fake.attach(ctx, A), UnexpectedVolumeDriverCall);
    assert.throws(() => fake.verify(), /unexpected call attach\("1a1a1a1a/);
  });

  void test('expectations come before stubs, once each; verify() reports the ones never used', async () => {
    const fake = FakeVolumeDriver.simulated().expect('attach', async () => {
      throw new VolumeAttachFailed('mount: wrong fs type');
    });
    await fake.create(ctx, { volume_id: A, size: 1 });
    await assert.rejects(fake.attach(ctx, A), VolumeAttachFailed);
    assert.equal((await fake.attach(ctx, A)).mounted_now, true, 'the stub answers the next call');
    assert.equal(fake.callsOf('attach').length, 2);
    fake.verify();
    fake.expect('detach');
    assert.throws(() => fake.verify(), /expected calls not made: detach ×1/);
  });

  void test('simulateHostRestart unmounts every volume and keeps it; a held volume cannot be deleted', async () => {
    const fake = FakeVolumeDriver.simulated();
    await fake.create(ctx, { volume_id: A, size: 2, fstype: 'xfs' });
    await fake.attach(ctx, A);
    fake.simulateHostRestart();
    assert.deepEqual([(await fake.inspect(ctx, A)).state, (await fake.inspect(ctx, A)).fstype], ['available', 'xfs']);
    const v = fake.volumes.get(A);
    assert.ok(v);
    v.held = true;
    await assert.rejects(fake.delete(ctx, A), VolumeInUse);
    fake.simulateHostRestart();
    await fake.delete(ctx, A);
    await assert.rejects(fake.inspect(ctx, A), VolumeNotFound);
  });
});

void describe('volume errors and connection info', () => {
  void test('volume errors keep their class and status across RPC', () => {
    for (const e of [new VolumeNotFound('gone'), new VolumeInUse('busy'), new InvalidVolumeSpec('bad'), new VolumeAttachFailed('mount')]) {
      const back = deserializeError(serializeError(e));
      assert.equal(back.constructor, e.constructor);
      assert.deepEqual([back.status, back.message], [e.status, e.message]);
    }
    assert.deepEqual([new VolumeNotFound('x').status, new VolumeInUse('x').status, new InvalidVolumeSpec('x').status, new VolumeAttachFailed('x').status], [404, 409, 400, 500]);
  });

  void test('connection info round-trips as JSON text; malformed text is InvalidVolumeSpec', async () => {
    const fake = FakeVolumeDriver.simulated();
    const { volume } = await fake.create(ctx, { volume_id: A, size: 1 });
    assert.deepEqual(parseConnectionInfo(serializeConnectionInfo(volume.connection_info)), volume.connection_info);
    const cinderLike = { driver_volume_type: 'iscsi', data: { target_iqn: 'iqn.x', target_lun: 1, device_path: '/dev/sdb' }, connector: { host: 'h1', initiator: 'iqn.h1' } };
    assert.deepEqual(parseConnectionInfo(JSON.stringify(cinderLike)), cinderLike);
    assert.deepEqual(parseConnectionInfo('{"driver_volume_type":"rbd","data":{}}').connector, null);
    for (const bad of ['', '[]', 'null', '{"data":{}}', '{"driver_volume_type":"x"}', '{"driver_volume_type":"x","data":{"device_path":3}}', '{"driver_volume_type":"x","data":{},"connector":[]}']) {
      assert.throws(() => parseConnectionInfo(bad), InvalidVolumeSpec, bad);
    }
  });
});
