import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, type RequestContext, silentLogger, VolumeInUse } from '@zun-ts/common';
import { type ContainerCreateSpec, FakeContainerDriver } from '@zun-ts/compute-driver';
import { defaultConf } from '@zun-ts/config';
import { type BuildRetry } from '@zun-ts/rpc';
import { FakeVolumeDriver, parseConnectionInfo, VolumeCreateFailed } from '@zun-ts/volume-driver';
import { KeyedLock } from '@zun-ts/common';
import { fakeContainer, FakeConductor, fakeVolume } from '../tests/fixtures/fake-conductor';
import { ComputeManager } from './compute.manager';
import { startCompute } from './compute-startup';
import { ContainerRecords } from './conductor-api';
import { ContainerBuilder } from './container-builder';
import { ContainerOperations } from './container-operations';
import { ContainerVolumes } from './container-volumes';
import { FakeNetworkDriver } from '@zun-ts/network-driver';
import { ContainerNetworks } from './container-networks';

const HOST = 'cn1';
const PREFIX = '/srv/zun/mnt';
const ctx: RequestContext = adminContext('req-volumes');
const retry: BuildRetry = { request: { container_uuid: 'x', run: true, hints: {}, availability_zone: null, requested_host: null }, attempt: 1, hosts: [HOST] };

function rig() {
  const engine = FakeContainerDriver.simulated();
  const vd = FakeVolumeDriver.simulated({ host: HOST, mountPrefix: PREFIX });
  const conductor = new FakeConductor();
  const records = new ContainerRecords(conductor.client(HOST), HOST, silentLogger());
  const volumes = new ContainerVolumes(vd, records, silentLogger());
  const networks = new ContainerNetworks(new FakeNetworkDriver(), records, { publishIp: '127.0.0.1' }, silentLogger());
  const builder = new ContainerBuilder(engine, records, volumes, networks, silentLogger());
  const ops = new ContainerOperations(engine, records, builder, volumes, networks, new KeyedLock(), silentLogger());
  const manager = new ComputeManager(defaultConf({ DEFAULT: { host: HOST } }), engine, ops);
  return { engine, vd, conductor, manager, ops };
}
type Rig = ReturnType<typeof rig>;

/** A volume the user made earlier, whose store is on this host already. */
async function userVolume(r: Rig, patch: Parameters<typeof fakeVolume>[0] = {}) {
  const v = fakeVolume({ host: HOST, ...patch });
  await r.vd.create(ctx, { volume_id: v.uuid, size: v.size });
  return v;
}

async function create(r: Rig, uuid: string, run = true) {
  const c = r.conductor.put(fakeContainer({ uuid }));
  await r.manager.containerCreate(ctx, { container_uuid: c.uuid, container: c, run, retry });
  return r.conductor.row(c.uuid);
}

function bindsOf(r: Rig): ContainerCreateSpec['binds'] {
  const spec = r.engine.callsOf('create').at(-1)?.[1] as ContainerCreateSpec | undefined;
  return spec?.binds;
}

const C1 = '11111111-0000-4000-8000-000000000001';
const C2 = '11111111-0000-4000-8000-000000000002';

describe('ContainerVolumes.prepare (create)', () => {
  test('binds an injected file read-only and volumes read-write; a volume on no host is made here and bound to this host', async () => {
    const r = rig();
    const mine = await userVolume(r);
    const fresh = fakeVolume({ size: 2, auto_remove: true });
    r.conductor.mountVolume(C1, '/data', mine);
    const file = r.conductor.mountFile(C1, '/etc/app.conf', 'answer=42\n');
    r.conductor.mountVolume(C1, '/scratch', fresh);
    const c = await create(r, C1);
    assert.equal(c.status, 'Running');
    assert.deepEqual(bindsOf(r), [
      { source: `${PREFIX}/volumes/${mine.uuid}/data`, destination: '/data', read_only: false },
      { source: `${PREFIX}/files/${file.uuid}`, destination: '/etc/app.conf', read_only: true },
      { source: `${PREFIX}/volumes/${fresh.uuid}/data`, destination: '/scratch', read_only: false },
    ]);
    assert.equal(Buffer.from(r.vd.files.get(file.uuid) ?? []).toString(), 'answer=42\n');
    assert.deepEqual(r.vd.callsOf('create').map((a) => a[1]), [{ volume_id: mine.uuid, size: 1 }, { volume_id: fresh.uuid, size: 2, fstype: null }]);
    const made = r.conductor.volume(fresh.uuid);
    assert.deepEqual([made.host, made.fstype], [HOST, 'ext4']);
    assert.equal(parseConnectionInfo(made.connection_info ?? '').data.device_path, '/dev/loop0');
    assert.deepEqual([r.vd.volumes.get(mine.uuid)?.attached, r.vd.volumes.get(fresh.uuid)?.attached], [true, true]);
    r.vd.verify();
  });

  test("a volume on another host fails the create with where it is, and nothing is made", async () => {
    const r = rig();
    const far = fakeVolume({ host: 'cn2' });
    r.conductor.mountVolume(C1, '/data', far);
    const c = await create(r, C1);
    assert.equal(c.status, 'Creating', 'the conductor decides');
    assert.equal(r.conductor.reports[0]?.reason, `Volume ${far.uuid} is on host cn2, not on ${HOST}.`);
    assert.deepEqual(r.vd.calls.map((x) => x.method), []);
    assert.equal(r.engine.containers.size, 0);
  });

  test('a volume bound to another host meanwhile: the store made here is removed and the create fails with the reason', async () => {
    const r = rig();
    const v = fakeVolume();
    r.conductor.mountVolume(C1, '/data', v);
    r.conductor.failNext.set('volumeBind', new VolumeInUse(`Volume ${v.uuid} is on host cn2.`));
    await create(r, C1);
    assert.equal(r.conductor.reports[0]?.reason, `Volume ${v.uuid} is on host cn2.`);
    assert.equal(r.vd.volumes.has(v.uuid), false);
    assert.deepEqual(r.conductor.volumeSaves, [], 'the volume is not ours to give up');
    assert.equal(r.vd.callsOf('attach').length, 0);
  });

  test("a failed create never deletes the user's volume: only what the attempt made is undone", async () => {
    const r = rig();
    const mine = await userVolume(r);
    const fresh = fakeVolume({ auto_remove: true });
    r.conductor.mountVolume(C1, '/data', mine);
    const file = r.conductor.mountFile(C1, '/etc/app.conf', 'x');
    r.conductor.mountVolume(C1, '/scratch', fresh);
    r.engine.stub('create', () => Promise.reject(new Error('invalid mount config for type "bind"')));
    await create(r, C1);
    assert.match(r.conductor.reports[0]?.reason ?? '', /invalid mount config/);
    assert.ok(r.vd.volumes.has(mine.uuid), "the user's volume is still there");
    assert.deepEqual([...r.vd.volumes.keys()], [mine.uuid]);
    assert.deepEqual(r.vd.callsOf('detach').map((a) => a[1]), [fresh.uuid]);
    assert.deepEqual(r.vd.callsOf('delete').map((a) => a[1]), [fresh.uuid]);
    assert.equal(r.vd.files.has(file.uuid), false);
    assert.deepEqual([r.conductor.volume(fresh.uuid).host, r.conductor.volume(mine.uuid).host], [null, HOST]);
  });

  test('a file written by an earlier attempt is not removed by a later failed one', async () => {
    const r = rig();
    const file = r.conductor.mountFile(C1, '/etc/app.conf', 'x');
    await r.vd.writeInjectedFile(ctx, { id: file.uuid, contents: Buffer.from('x') });
    r.engine.stub('pullImage', () => Promise.reject(new Error('manifest unknown')));
    await create(r, C1);
    assert.ok(r.vd.files.has(file.uuid));
  });

  test('a store the host cannot make fails the create as retryable when it lacks space', async () => {
    const r = rig();
    r.conductor.mountVolume(C1, '/data', fakeVolume({ size: 500 }));
    r.vd.expect('create', () => Promise.reject(new VolumeCreateFailed('Not enough space for a 500 GiB volume on this host (3.1 GiB free under the mount prefix).')));
    await create(r, C1);
    assert.deepEqual(r.conductor.reports.map((x) => [x.retryable, x.reason.slice(0, 16)]), [[true, 'Not enough space']]);
    assert.equal(r.engine.callsOf('pullImage').length, 0, 'volumes come before the image');
  });
});

describe('volumes and starts', () => {
  test('a failed start touches no volume: the container is Error, its volumes stay as they are', async () => {
    const r = rig();
    const mine = await userVolume(r);
    r.conductor.mountVolume(C1, '/data', mine);
    r.engine.stub('start', () => Promise.reject(new Error('OCI runtime create failed')));
    assert.equal((await create(r, C1)).status, 'Error');
    await r.manager.containerStart(ctx, { container_uuid: C1 });
    assert.equal(r.conductor.row(C1).status, 'Error');
    for (const m of ['detach', 'delete'] as const) assert.equal(r.vd.callsOf(m).length, 0, m);
    assert.equal(r.vd.volumes.get(mine.uuid)?.attached, true);
  });

  test('zun start after a host restart mounts the volume and writes the file again first', async () => {
    const r = rig();
    const mine = await userVolume(r);
    r.conductor.mountVolume(C1, '/data', mine);
    const file = r.conductor.mountFile(C1, '/etc/app.conf', 'x');
    await create(r, C1, false);
    r.vd.simulateHostRestart();
    r.vd.files.clear();
    await r.manager.containerStart(ctx, { container_uuid: C1 });
    assert.equal(r.conductor.row(C1).status, 'Running');
    assert.equal(r.vd.volumes.get(mine.uuid)?.attached, true);
    assert.ok(r.vd.files.has(file.uuid));
  });

  test('a volume that cannot be mounted again fails the start with the reason', async () => {
    const r = rig();
    const mine = await userVolume(r);
    r.conductor.mountVolume(C1, '/data', mine);
    await create(r, C1, false);
    r.vd.volumes.delete(mine.uuid);
    await r.manager.containerStart(ctx, { container_uuid: C1 });
    assert.equal(r.conductor.row(C1).status, 'Error');
    assert.match(r.conductor.row(C1).status_reason ?? '', new RegExp(`Volume ${mine.uuid} cannot be mounted on host cn1: .*could not be found`));
    assert.equal(r.engine.callsOf('start').length, 0);
  });
});

describe('volumes and deletes', () => {
  test('delete releases the mounts: the auto_remove volume goes, the user volume is unmounted and kept, files removed', async () => {
    const r = rig();
    const mine = await userVolume(r);
    const fresh = fakeVolume({ auto_remove: true });
    r.conductor.mountVolume(C1, '/data', mine);
    const file = r.conductor.mountFile(C1, '/etc/app.conf', 'x');
    r.conductor.mountVolume(C1, '/scratch', fresh);
    await create(r, C1);
    await r.manager.containerDelete(ctx, { container_uuid: C1, force: true, stop: true });
    assert.equal(r.conductor.rows.has(C1), false);
    assert.deepEqual([...r.vd.volumes.keys()], [mine.uuid]);
    assert.equal(r.vd.volumes.get(mine.uuid)?.attached, false);
    assert.equal(r.conductor.volume(mine.uuid).status, 'available');
    assert.deepEqual(r.conductor.volumesDestroyed, [fresh.uuid]);
    assert.equal(r.vd.files.has(file.uuid), false);

    const calls = r.vd.calls.length;
    await r.manager.containerDelete(ctx, { container_uuid: C1, force: true, stop: true });
    assert.equal(r.vd.calls.length, calls, 'a redelivered delete touches no volume');
  });

  test('a shareable volume another container still mounts stays mounted', async () => {
    const r = rig();
    const shared = await userVolume(r, { shareable: true });
    r.conductor.mountVolume(C1, '/data', shared);
    r.conductor.mountVolume(C2, '/data', shared);
    await create(r, C1);
    await create(r, C2);
    await r.manager.containerDelete(ctx, { container_uuid: C1, force: false, stop: true });
    assert.equal(r.vd.volumes.get(shared.uuid)?.attached, true);
    assert.equal(r.vd.callsOf('detach').length, 0);
  });

  test('a volume that cannot be removed: a plain delete leaves the container in Error, a forced one goes on', async () => {
    for (const force of [false, true]) {
      const r = rig();
      const fresh = fakeVolume({ auto_remove: true });
      r.conductor.mountVolume(C1, '/scratch', fresh);
      await create(r, C1);
      const v = r.vd.volumes.get(fresh.uuid);
      assert.ok(v);
      v.held = true;
      r.vd.stub('detach', async () => undefined);
      await r.manager.containerDelete(ctx, { container_uuid: C1, force, stop: true });
      assert.equal(r.conductor.volume(fresh.uuid).status, 'error');
      assert.match(r.conductor.volume(fresh.uuid).status_reason ?? '', /mounted on this host|in use/);
      if (force) assert.equal(r.conductor.rows.has(C1), false);
      else assert.deepEqual([r.conductor.row(C1).status, /in use|mounted/.test(r.conductor.row(C1).status_reason ?? '')], ['Error', true]);
    }
  });
});

describe('volumeDelete', () => {
  test('removes the store and the record; delivered again, only the record is destroyed again', async () => {
    const r = rig();
    const v = await userVolume(r, { status: 'deleting' });
    r.conductor.volumes.set(v.uuid, v);
    await r.vd.attach(ctx, v.uuid);
    await r.manager.volumeDelete(ctx, { volume_uuid: v.uuid });
    await r.manager.volumeDelete(ctx, { volume_uuid: v.uuid });
    assert.equal(r.vd.volumes.has(v.uuid), false);
    assert.equal(r.conductor.volumes.has(v.uuid), false);
    assert.deepEqual(r.conductor.volumesDestroyed, [v.uuid]);
    assert.equal(r.vd.callsOf('delete').length, 2);
  });

  test('a store that cannot be removed marks the volume error with the reason and keeps it', async () => {
    const r = rig();
    const v = await userVolume(r, { status: 'deleting' });
    r.conductor.volumes.set(v.uuid, v);
    const sim = r.vd.volumes.get(v.uuid);
    assert.ok(sim);
    sim.held = true;
    await r.manager.volumeDelete(ctx, { volume_uuid: v.uuid });
    assert.deepEqual([r.conductor.volume(v.uuid).status, r.conductor.volume(v.uuid).status_reason], ['error', `Volume ${v.uuid} is still in use by a container on this host.`]);
    assert.ok(r.vd.volumes.has(v.uuid));
  });
});

describe('start-up recovery', () => {
  test('after a host restart the volumes are mounted again before the host serves or syncs (upstream lost the mounts)', async () => {
    const r = rig();
    const mine = await userVolume(r);
    r.conductor.mountVolume(C1, '/data', mine);
    const file = r.conductor.mountFile(C1, '/etc/app.conf', 'x');
    await create(r, C1);
    // What no container needs any more: a volume being deleted, one mounted by nobody, a file of nobody.
    const doomed = await userVolume(r, { status: 'deleting' });
    const idle = await userVolume(r, { status: 'available' });
    for (const v of [doomed, idle]) r.conductor.volumes.set(v.uuid, v);
    await r.vd.writeInjectedFile(ctx, { id: '0f0f0f0f-0000-4000-8000-00000000000f', contents: Buffer.from('old') });
    r.vd.simulateHostRestart();
    r.vd.files.delete(file.uuid);
    await r.vd.attach(ctx, idle.uuid);

    const order: string[] = [];
    await startCompute(
      {
        listen: async () => void order.push('listen'),
        recoverNetworks: async () => void order.push('networks'),
        recover: async () => {
          await r.ops.recover(ctx);
          order.push(`recovered: mounted=${String(r.vd.volumes.get(mine.uuid)?.attached)}`);
        },
        serve: async () => void order.push('serve'),
        startSync: () => void order.push('sync'),
      },
      silentLogger(),
    );
    assert.deepEqual(order, ['listen', 'networks', 'recovered: mounted=true', 'serve', 'sync']);
    assert.deepEqual([...r.vd.files.keys()], [file.uuid], 'the file is back, the one of no container gone');
    assert.equal(r.vd.volumes.has(doomed.uuid), false);
    assert.deepEqual(r.conductor.volumesDestroyed, [doomed.uuid]);
    assert.equal(r.vd.volumes.get(idle.uuid)?.attached, false);
  });

  test('a recovery that fails is logged and the host still serves', async () => {
    const order: string[] = [];
    await startCompute(
      {
        listen: async () => undefined,
        recoverNetworks: () => Promise.reject(new Error('engine away')),
        recover: () => Promise.reject(new Error('conductor away')),
        serve: async () => void order.push('serve'),
        startSync: () => void order.push('sync'),
      },
      silentLogger(),
    );
    assert.deepEqual(order, ['serve', 'sync']);
  });

  test('files are not collected when the mounts of a container could not be read', async () => {
    const r = rig();
    r.conductor.put(fakeContainer({ uuid: C1, status: 'Stopped', container_id: 'abc' }));
    await r.vd.writeInjectedFile(ctx, { id: '0f0f0f0f-0000-4000-8000-00000000000f', contents: Buffer.from('x') });
    r.conductor.failNext.set('containerMounts', new Error('boom'));
    await r.ops.recover(ctx);
    assert.equal(r.vd.files.size, 1);
  });
});
