import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { Conflict, ContainerNotFound, NotAuthorized, silentLogger, VolumeInUse, VolumeNotFound } from '@zun-ts/common';
import { type Container } from '@zun-ts/objects';
import { type RpcCaller } from '@zun-ts/rpc';
import { FakeVolumeRepository } from '../tests/fixtures/fake-volume-repository';
import { VolumeRecords } from './volume-records';

const CN1: RpcCaller = { host: 'cn1', binary: 'zun-compute' };
const CN2: RpcCaller = { host: 'cn2', binary: 'zun-compute' };

/** Containers: c1 on cn1, c2 on cn2. */
function containers(): { getByUuid: (scope: unknown, uuid: string) => Promise<Container> } {
  const hosts: Record<string, string> = { c1: 'cn1', c2: 'cn2' };
  return {
    getByUuid: async (_scope, uuid) => {
      const host = hosts[uuid];
      if (!host) throw new ContainerNotFound(`Container ${uuid} could not be found.`);
      return { uuid, host } as Container;
    },
  };
}

describe('VolumeRecords', () => {
  let repo: FakeVolumeRepository;
  let records: VolumeRecords;
  beforeEach(() => {
    repo = new FakeVolumeRepository();
    // v1 on cn1 mounted by c1; v2 on cn2 mounted by c2; v3 on no host mounted by c1; v4 on no host mounted by c2.
    repo.add({ uuid: 'v1', host: 'cn1', status: 'in-use' }, ['c1']);
    repo.add({ uuid: 'v2', host: 'cn2', status: 'in-use' }, ['c2']);
    repo.add({ uuid: 'v3', host: null, status: 'in-use' }, ['c1']);
    repo.add({ uuid: 'v4', host: null, status: 'in-use' }, ['c2']);
    records = new VolumeRecords(repo, containers(), silentLogger());
  });

  test('containerMounts: the mounts of the caller\'s container; another host\'s container is ContainerNotFound', async () => {
    assert.deepEqual((await records.mounts({ container_uuid: 'c1' }, CN1)).map((m) => m.volume?.uuid), ['v1', 'v3']);
    await assert.rejects(records.mounts({ container_uuid: 'c2' }, CN1), (e: unknown) => e instanceof ContainerNotFound && /c2/.test(e.message));
    await assert.rejects(records.mounts({ container_uuid: 'c1' }, { host: 'cn1', binary: 'zun-api' }), NotAuthorized);
  });

  test('volumeBind: binds a volume its container mounts to the caller; a redelivery returns it unchanged', async () => {
    assert.equal((await records.bind({ volume_uuid: 'v3' }, CN1)).host, 'cn1');
    assert.equal((await records.bind({ volume_uuid: 'v3' }, CN1)).host, 'cn1');
    assert.deepEqual(repo.binds, [['v3', 'cn1']], 'bound once');
  });

  test('volumeBind: a volume of another host, or on no host but mounted only elsewhere, is VolumeNotFound and stays as it was', async () => {
    await assert.rejects(records.bind({ volume_uuid: 'v2' }, CN1), (e: unknown) => e instanceof VolumeNotFound && e.message === 'Volume v2 could not be found.');
    await assert.rejects(records.bind({ volume_uuid: 'v4' }, CN1), VolumeNotFound);
    await assert.rejects(records.bind({ volume_uuid: 'nope' }, CN1), VolumeNotFound);
    assert.deepEqual([repo.binds, repo.get('v2').host, repo.get('v4').host], [[], 'cn2', null]);
  });

  test('volumeBind: a shared volume another host bound first is VolumeInUse (the other container won the race)', async () => {
    repo.mount('v4', 'c1');
    await records.bind({ volume_uuid: 'v4' }, CN2);
    await assert.rejects(records.bind({ volume_uuid: 'v4' }, CN1), VolumeInUse);
    assert.equal(repo.get('v4').host, 'cn2');
  });

  test('volumeSave: writes host-writable fields of the caller\'s volume, conditional on status and on the host checked', async () => {
    const patch = { status: 'error', status_reason: 'mkfs failed', name: 'hijack', size: 99 } as never;
    const saved = await records.save({ volume_uuid: 'v1', patch, expected: { status: ['in-use'] } }, CN1);
    assert.deepEqual([saved.status, saved.status_reason, saved.name, saved.size], ['error', 'mkfs failed', null, 1]);
    assert.deepEqual(repo.updates.at(-1)?.expected, { host: ['cn1'], status: ['in-use'] });
    await assert.rejects(records.save({ volume_uuid: 'v1', patch: { status: 'available' }, expected: { status: ['in-use'] } }, CN1), Conflict);
  });

  test('volumeSave: a volume on no host mounted by the caller\'s container may be saved; one of another host is VolumeNotFound', async () => {
    assert.equal((await records.save({ volume_uuid: 'v3', patch: { connection_info: '{}' } }, CN1)).connection_info, '{}');
    await assert.rejects(records.save({ volume_uuid: 'v2', patch: { status: 'error' } }, CN1), VolumeNotFound);
    await assert.rejects(records.save({ volume_uuid: 'v4', patch: { status: 'error' } }, CN1), VolumeNotFound);
    assert.deepEqual([repo.get('v2').status, repo.get('v4').status], ['in-use', 'in-use']);
  });

  test('volumeSave: a host gives up only its own volume; on a volume already on no host the give-up is dropped', async () => {
    assert.equal((await records.save({ volume_uuid: 'v1', patch: { host: null, status: 'available' } }, CN1)).host, null);
    // Redelivered: the volume is on no host now, and c1 still mounts it.
    const again = await records.save({ volume_uuid: 'v1', patch: { host: null, status: 'available' } }, CN1);
    assert.deepEqual([again.host, again.status], [null, 'available']);
    assert.equal('host' in (repo.updates.at(-1)?.patch ?? {}), false);
    assert.deepEqual(repo.updates.at(-1)?.expected, { host: [null] });
  });

  test('volumeSave: a volume bound by another host between the check and the write is a Conflict, never overwritten', async () => {
    repo.beforeUpdate = (uuid) => {
      if (uuid === 'v3') repo.get('v3').host = 'cn2';
    };
    await assert.rejects(records.save({ volume_uuid: 'v3', patch: { status: 'error' } }, CN1), Conflict);
    assert.deepEqual([repo.get('v3').host, repo.get('v3').status], ['cn2', 'in-use']);
  });

  test('volumeRelease: removes the caller\'s container\'s mappings once; a second release finds none', async () => {
    assert.deepEqual((await records.release({ container_uuid: 'c1' }, CN1)).map((r) => [r.volume.uuid, r.volume.status, r.remaining]),
      [['v1', 'available', 0], ['v3', 'available', 0]]);
    assert.deepEqual(await records.release({ container_uuid: 'c1' }, CN1), []);
    assert.deepEqual(await records.release({ container_uuid: 'gone' }, CN1), [], 'a container already destroyed: nothing left');
  });

  test('volumeRelease: another host\'s container is answered as absent, its mappings stay', async () => {
    assert.deepEqual(await records.release({ container_uuid: 'c2' }, CN1), []);
    assert.deepEqual((await records.mounts({ container_uuid: 'c2' }, CN2)).map((m) => m.volume?.uuid), ['v2', 'v4']);
  });

  test('volumeDestroy: deletes a deleting volume of the caller (or on no host) once; absent is fine', async () => {
    repo.get('v1').status = 'deleting';
    repo.get('v4').status = 'deleting';
    await records.destroy({ volume_uuid: 'v1' }, CN1);
    await records.destroy({ volume_uuid: 'v1' }, CN1);
    await records.destroy({ volume_uuid: 'v4' }, CN1);
    assert.deepEqual(repo.destroyed, ['v1', 'v4']);
  });

  test('volumeDestroy: any status but deleting is a Conflict; another host\'s volume is left alone', async () => {
    await assert.rejects(records.destroy({ volume_uuid: 'v1' }, CN1), (e: unknown) => e instanceof Conflict && /in-use, not deleting/.test(e.message));
    repo.get('v2').status = 'deleting';
    await records.destroy({ volume_uuid: 'v2' }, CN1);
    assert.deepEqual(repo.destroyed, []);
    assert.equal(repo.get('v2').status, 'deleting');
  });

  test('volumesOnHost: the caller\'s own volumes only', async () => {
    assert.deepEqual((await records.onHost(CN1)).map((h) => [h.volume.uuid, h.container_uuids]), [['v1', ['c1']]]);
    assert.deepEqual((await records.onHost(CN2)).map((h) => h.volume.uuid), ['v2']);
    await assert.rejects(records.onHost({ host: 'cn1', binary: 'zun-wsproxy' }), NotAuthorized);
  });
});
