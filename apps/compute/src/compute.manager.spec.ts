import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, Conflict, ContainerNotFound, type RequestContext, silentLogger } from '@zun-ts/common';
import { type ContainerCreateSpec, DockerUnavailable, FakeContainerDriver } from '@zun-ts/compute-driver';
import { defaultConf } from '@zun-ts/config';
import { type BuildRetry } from '@zun-ts/rpc';
import { FakeVolumeDriver } from '@zun-ts/volume-driver';
import { ComputeManager } from './compute.manager';
import { ContainerRecords } from './conductor-api';
import { ContainerBuilder, EVENTS } from './container-builder';
import { COMPUTE_HOST_LABEL } from './container-mapping';
import { ContainerOperations } from './container-operations';
import { ContainerSync } from './container-sync';
import { ContainerVolumes } from './container-volumes';
import { fakeContainer, FakeConductor } from '../tests/fixtures/fake-conductor';
import { KeyedLock } from '@zun-ts/common';
import { ResourceTracker } from './resource-tracker';
import { FakeNetworkDriver } from '@zun-ts/network-driver';
import { ContainerNetworks } from './container-networks';

const HOST = 'cn1';
const REGISTRY = '127.0.0.1:5050';
const ctx: RequestContext = { ...adminContext('req-create'), isAdmin: false, roles: ['member'] };
const retry: BuildRetry = { request: { container_uuid: 'x', run: true, hints: {}, availability_zone: null, requested_host: null }, attempt: 1, hosts: [HOST] };

function rig(opts: { now?: () => number; diskQuota?: boolean | null } = {}) {
  const driver = FakeContainerDriver.simulated({ defaultRegistry: REGISTRY });
  const conductor = new FakeConductor();
  const records = new ContainerRecords(conductor.client(HOST), HOST, silentLogger());
  const locks = new KeyedLock();
  const volumes = new ContainerVolumes(FakeVolumeDriver.simulated({ host: HOST }), records, silentLogger());
  const networks = new ContainerNetworks(new FakeNetworkDriver(), records, { publishIp: '127.0.0.1' }, silentLogger());
  const builder = new ContainerBuilder(driver, records, volumes, networks, silentLogger(), () => opts.diskQuota ?? null);
  const ops = new ContainerOperations(driver, records, builder, volumes, networks, locks, silentLogger());
  const manager = new ComputeManager(defaultConf({ DEFAULT: { host: HOST } }), driver, ops);
  const sync = new ContainerSync(driver, records, builder, networks, locks, silentLogger(), { orphanGraceMs: 1000, ...(opts.now ? { now: opts.now } : {}) });
  return { driver, conductor, records, locks, manager, sync, volumes, networks };
}

async function created(r: ReturnType<typeof rig>, patch: Parameters<typeof fakeContainer>[0] = {}) {
  const c = r.conductor.put(fakeContainer(patch));
  await r.manager.containerCreate(ctx, { container_uuid: c.uuid, container: c, run: true, retry });
  return r.conductor.row(c.uuid);
}

describe('ComputeManager: create', () => {
  test('ping answers with the compute host', async () => {
    assert.deepEqual(await rig().manager.ping(adminContext(), {}), { host: HOST });
  });

  test('pulls, creates zun-<uuid> with the record\'s settings and, when run, starts it and records Running in one save', async () => {
    const r = rig();
    const c = await created(r);
    assert.equal(c.status, 'Running');
    assert.equal(c.task_state, null);
    assert.ok(c.container_id);
    assert.ok(c.started_at instanceof Date);
    assert.equal(c.image_driver, 'docker');
    assert.deepEqual(c.addresses, {}, 'a container without ports has no addresses (and no network)');
    assert.equal((r.driver.callsOf('create')[0]?.[1] as ContainerCreateSpec).network_mode, 'none');
    const engine = r.driver.containers.get(c.uuid);
    assert.equal(engine?.image, `${REGISTRY}/busybox:latest`);
    assert.equal(engine?.labels[COMPUTE_HOST_LABEL], HOST);
    assert.equal(engine?.labels.app, 'x');
    const [spec] = r.driver.callsOf('create')[0]?.slice(1) as [{ memoryMiB: number; cpu: number; environment: unknown }];
    assert.deepEqual([spec.memoryMiB, spec.cpu, spec.environment], [64, 0.5, { A: '1' }]);
    assert.deepEqual(r.conductor.saves.map((s) => s.patch.task_state ?? s.patch.status), ['image_pulling', 'Running']);
    assert.deepEqual(r.conductor.saves.map((s) => s.expected?.status), [['Creating'], ['Creating']]);
    assert.deepEqual(r.conductor.events, [`start ${EVENTS.create}`, `Success ${EVENTS.create}`, `start ${EVENTS.start}`, `Success ${EVENTS.start}`, 'finish action']);
  });

  test('create without run records Created with the image driver, its events and the action finish', async () => {
    const r = rig();
    const c = r.conductor.put(fakeContainer());
    await r.manager.containerCreate(ctx, { container_uuid: c.uuid, container: c, run: false, retry });
    const row = r.conductor.row(c.uuid);
    assert.deepEqual([row.status, row.task_state, row.image_driver, row.started_at], ['Created', null, 'docker', null]);
    assert.equal(r.driver.callsOf('start').length, 0);
    assert.deepEqual(r.conductor.events, [`start ${EVENTS.create}`, `Success ${EVENTS.create}`, 'finish action']);
  });

  test('a run whose start fails records Error with the reason straight from Creating', async () => {
    const r = rig();
    r.driver.stub('start', async () => {
      throw new Error('OCI runtime create failed: exec: "nope": not found');
    });
    const c = await created(r);
    assert.equal(c.status, 'Error');
    assert.match(c.status_reason ?? '', /OCI runtime/);
    assert.ok(c.container_id);
    assert.deepEqual(r.conductor.events, [`start ${EVENTS.create}`, `Success ${EVENTS.create}`, `start ${EVENTS.start}`, `Error ${EVENTS.start}`, 'finish action']);
  });

  test('the same create delivered three times (two at once) makes one engine container', async () => {
    const r = rig();
    const c = r.conductor.put(fakeContainer());
    const req = { container_uuid: c.uuid, container: c, run: false, retry };
    await Promise.all([r.manager.containerCreate(ctx, req), r.manager.containerCreate(ctx, req)]);
    await r.manager.containerCreate(ctx, req);
    assert.equal(r.driver.callsOf('create').length, 1);
    assert.equal(r.driver.containers.size, 1);
    assert.equal(r.conductor.row(c.uuid).status, 'Created');
  });

  test('a create redelivered after the engine create but before the record was saved finds the existing container', async () => {
    const r = rig();
    const c = r.conductor.put(fakeContainer());
    const first = await r.driver.create(ctx, { uuid: c.uuid, image: 'x' });
    await r.manager.containerCreate(ctx, { container_uuid: c.uuid, container: c, run: false, retry });
    assert.equal(r.driver.containers.size, 1);
    assert.equal(r.conductor.row(c.uuid).container_id, first.container_id);
  });

  test('an engine that cannot be reached is a retryable failure reported with the retry state; nothing is left behind', async () => {
    const r = rig();
    r.driver.stub('pullImage', async () => {
      throw new DockerUnavailable('Docker engine unreachable: connect ENOENT');
    });
    const c = await created(r);
    assert.equal(c.status, 'Creating', 'the conductor decides');
    assert.equal(c.task_state, null);
    assert.deepEqual(r.conductor.reports.map((x) => [x.host, x.retryable, x.retry]), [[HOST, true, retry]]);
    assert.match(r.conductor.reports[0]?.reason ?? '', /ENOENT/);
    assert.equal(r.driver.containers.size, 0);
    assert.deepEqual(r.conductor.events.slice(-1), [`Error ${EVENTS.create}`]);
  });

  test('a missing image is not retryable', async () => {
    const r = rig();
    r.driver.stub('pullImage', async () => {
      throw new Error('manifest for 127.0.0.1:5050/nope:latest not found: manifest unknown');
    });
    await created(r, { image: 'nope' });
    assert.deepEqual(r.conductor.reports.map((x) => x.retryable), [false]);
  });

  test('a registry this host cannot reach over its network is retryable (another host may); one that refuses connections is not', async () => {
    // What broke (the fault suite's scenario 8): a host cut off from the network ended its containers in Error
    // while the other host could pull the image.
    const failWith = async (message: string): Promise<boolean | undefined> => {
      const r = rig();
      r.driver.stub('pullImage', async () => {
        throw new Error(message);
      });
      await created(r);
      return r.conductor.reports[0]?.retryable;
    };
    assert.equal(await failWith('Error on pulling image: 10.99.0.1:5050/busybox:latest: Get "http://10.99.0.1:5050/v2/": dial tcp 10.99.0.1:5050: connect: no route to host'), true);
    assert.equal(await failWith('Get "https://reg.example:5000/v2/": dial tcp 192.0.2.7:5000: connect: network is unreachable'), true);
    assert.equal(await failWith('Get "https://reg.example:5000/v2/": dial tcp 192.0.2.7:5000: i/o timeout'), true);
    assert.equal(await failWith('Get "https://reg.example:5000/v2/": net/http: TLS handshake timeout'), true);
    assert.equal(await failWith('Get "http://10.99.0.1:5050/v2/": dial tcp 10.99.0.1:5050: connect: connection refused'), false);
  });

  test('a disk request on a host that cannot enforce it: refused with the reason (another host may), nothing pulled or created', async () => {
    const r = rig({ diskQuota: false });
    await created(r, { disk: 1 });
    assert.deepEqual(r.conductor.reports.map((x) => [x.reason, x.retryable]), [['Your host does not support disk quota feature.', true]]);
    assert.deepEqual([r.driver.callsOf('pullImage').length, r.driver.callsOf('create').length], [0, 0]);
    const ok = await created(rig({ diskQuota: true }), { disk: 1 });
    assert.equal(ok.status, 'Running', 'the same request runs where the host enforces it');
  });

  test('a create for a container placed elsewhere, or no longer Creating, does nothing', async () => {
    const r = rig();
    const a = r.conductor.put(fakeContainer({ host: 'other' }));
    await r.manager.containerCreate(ctx, { container_uuid: a.uuid, container: a, run: true, retry });
    assert.equal(r.driver.calls.length, 0);
    r.conductor.rows.clear();
    const b = r.conductor.put(fakeContainer({ status: 'Error' }));
    await r.manager.containerCreate(ctx, { container_uuid: b.uuid, container: b, run: true, retry });
    assert.equal(r.driver.calls.length, 0);
  });

  test('a container deleted while being created keeps no engine container', async () => {
    const r = rig();
    const c = r.conductor.put(fakeContainer());
    r.driver.stub('pullImage', async () => {
      r.conductor.rows.delete(c.uuid); // the API destroyed the record meanwhile
      return { repo: 'r', tag: 'latest', ref: 'r:latest', image_id: 'sha256:0', size: 1, pulled: true, driver: 'docker' };
    });
    await r.manager.containerCreate(ctx, { container_uuid: c.uuid, container: c, run: true, retry });
    assert.equal(r.driver.containers.size, 0);
    assert.equal(r.conductor.reports.length, 0);
  });
});

describe('ComputeManager: operations', () => {
  test('stop, start, pause, unpause, kill: task_state while running, Zun\'s status after', async () => {
    const r = rig();
    const c = await created(r);
    await r.manager.containerStop(ctx, { container_uuid: c.uuid, timeout: 1 });
    assert.deepEqual([r.conductor.row(c.uuid).status, r.conductor.row(c.uuid).task_state], ['Stopped', null]);
    assert.ok(r.conductor.saves.some((s) => s.patch.task_state === 'container_stopping'));
    await r.manager.containerStart(ctx, { container_uuid: c.uuid });
    await r.manager.containerPause(ctx, { container_uuid: c.uuid });
    assert.equal(r.conductor.row(c.uuid).status, 'Paused');
    await r.manager.containerUnpause(ctx, { container_uuid: c.uuid });
    await r.manager.containerKill(ctx, { container_uuid: c.uuid, signal: null });
    assert.equal(r.conductor.row(c.uuid).status, 'Stopped');
  });

  test('a task_state the API wrote before casting is cleared when the operation ends', async () => {
    const r = rig();
    const c = await created(r);
    r.conductor.row(c.uuid).task_state = 'container_stopping';
    await r.manager.containerStop(ctx, { container_uuid: c.uuid, timeout: 1 });
    assert.deepEqual([r.conductor.row(c.uuid).status, r.conductor.row(c.uuid).task_state], ['Stopped', null]);
    const addresses = { 'net-1': [{ addr: '10.210.1.5', version: 4 as const, port: 'port-1', subnet_id: 'sub-1', preserve_on_delete: false }] };
    Object.assign(r.conductor.row(c.uuid), { status: 'Restarting', task_state: 'container_rebooting', addresses });
    await r.manager.containerReboot(ctx, { container_uuid: c.uuid, timeout: 1 });
    assert.deepEqual([r.conductor.row(c.uuid).status, r.conductor.row(c.uuid).task_state], ['Running', null]);
    assert.deepEqual(r.conductor.row(c.uuid).addresses, addresses, 'addresses come from the ports, not from the engine');
    // a failed operation clears it too (pausing a container that is not running)
    await r.driver.stop(ctx, c.uuid, 1);
    r.conductor.row(c.uuid).task_state = 'container_pausing';
    await r.manager.containerPause(ctx, { container_uuid: c.uuid });
    assert.equal(r.conductor.row(c.uuid).task_state, null);
    // another operation's task is not ours to clear
    r.conductor.row(c.uuid).task_state = 'container_deleting';
    await r.manager.containerStart(ctx, { container_uuid: c.uuid });
    assert.equal(r.conductor.row(c.uuid).task_state, 'container_deleting');
  });

  test('commit records its event and finishes the action', async () => {
    const r = rig();
    const c = await created(r);
    r.conductor.events.length = 0;
    r.driver.stub('commit', async () => ({ image_id: 'sha256:1', ref: 'snap:v1' }));
    const out = await r.manager.containerCommit(ctx, { container_uuid: c.uuid, repository: 'snap', tag: 'v1' });
    assert.equal(out.image_id, 'sha256:1');
    assert.deepEqual(r.conductor.events, [`start ${EVENTS.commit}`, `Success ${EVENTS.commit}`, 'finish action']);
  });

  test('an engine state conflict leaves the status alone and clears the task', async () => {
    const r = rig();
    const c = await created(r, {});
    await r.manager.containerStop(ctx, { container_uuid: c.uuid, timeout: 1 });
    await r.manager.containerPause(ctx, { container_uuid: c.uuid }); // not running
    assert.deepEqual([r.conductor.row(c.uuid).status, r.conductor.row(c.uuid).task_state], ['Stopped', null]);
    assert.ok(r.conductor.events.includes(`Error ${EVENTS.pause}`));
  });

  test('an engine container that vanished: Error on an action, 409 on a call', async () => {
    const r = rig();
    const c = await created(r);
    r.driver.containers.delete(c.uuid);
    await r.manager.containerStop(ctx, { container_uuid: c.uuid, timeout: 1 });
    assert.equal(r.conductor.row(c.uuid).status, 'Error');
    r.driver.stub('top', async () => {
      throw new ContainerNotFound(`No such container: zun-${c.uuid}`);
    });
    await assert.rejects(r.manager.containerTop(ctx, { container_uuid: c.uuid, ps_args: null }), (e: unknown) => e instanceof Conflict && /'Error' state/.test(e.message));
  });

  test('delete: a running container needs force; force removes it and the conductor destroys the record', async () => {
    const r = rig();
    const c = await created(r);
    await r.manager.containerDelete(ctx, { container_uuid: c.uuid, force: false, stop: false });
    assert.equal(r.conductor.row(c.uuid).status, 'Error');
    assert.equal(r.driver.containers.size, 1);
    await r.manager.containerDelete(ctx, { container_uuid: c.uuid, force: true, stop: false });
    assert.equal(r.driver.containers.size, 0);
    assert.deepEqual(r.conductor.destroyed, [c.uuid]);
    await r.manager.containerDelete(ctx, { container_uuid: c.uuid, force: true, stop: false }); // redelivered
    assert.deepEqual(r.conductor.destroyed, [c.uuid]);
  });

  test('delete with stop stops first; rebuild makes a new engine container', async () => {
    const r = rig();
    const c = await created(r);
    const oldId = c.container_id;
    await r.manager.containerRebuild(ctx, { container_uuid: c.uuid, image: null, run: true });
    const rebuilt = r.conductor.row(c.uuid);
    assert.equal(rebuilt.status, 'Running');
    assert.notEqual(rebuilt.container_id, oldId);
    await r.manager.containerDelete(ctx, { container_uuid: c.uuid, force: false, stop: true });
    assert.equal(r.driver.callsOf('stop').length, 1);
    assert.equal(r.conductor.rows.size, 0);
  });

  test('update changes the engine limits and the record', async () => {
    const r = rig();
    const c = await created(r);
    const out = await r.manager.containerUpdate(ctx, { container_uuid: c.uuid, cpu: 1, memory: '128' });
    assert.deepEqual([out.cpu, out.memory], [1, '128']);
    assert.deepEqual(r.driver.callsOf('update')[0]?.[2], { cpu: 1, memoryMiB: 128 });
  });

  test('calls on an uncreated container are 400', async () => {
    const r = rig();
    const c = r.conductor.put(fakeContainer());
    await assert.rejects(r.manager.containerLogs(ctx, { container_uuid: c.uuid, stdout: true, stderr: true, timestamps: false, tail: 'all', since: null }),
      /Cannot operate an uncreated container/);
  });
});

describe('ContainerOperations.recover', () => {
  test('finishes deletes and clears tasks the previous run left; Creating is left to its message', async () => {
    const r = rig();
    const deleting = await created(r, { uuid: '00000000-0000-4000-8000-0000000000d1' });
    r.conductor.row(deleting.uuid).status = 'Deleting';
    const stuck = await created(r, { uuid: '00000000-0000-4000-8000-0000000000d2' });
    r.conductor.row(stuck.uuid).task_state = 'container_stopping';
    r.conductor.put(fakeContainer({ uuid: '00000000-0000-4000-8000-0000000000d3', task_state: 'image_pulling' }));
    const ops = new ContainerOperations(r.driver, r.records, new ContainerBuilder(r.driver, r.records, r.volumes, r.networks, silentLogger()), r.volumes, r.networks, r.locks, silentLogger());
    await ops.recover(ctx);
    assert.equal(r.conductor.rows.has(deleting.uuid), false);
    assert.equal(r.driver.containers.has(deleting.uuid), false);
    assert.equal(r.conductor.row(stuck.uuid).task_state, null);
    assert.equal(r.conductor.row('00000000-0000-4000-8000-0000000000d3').task_state, 'image_pulling');
  });
});

describe('ContainerSync', () => {
  test('an engine event updates the record at once (die → Stopped)', async () => {
    const r = rig();
    r.sync.start();
    const c = await created(r);
    await r.driver.kill(ctx, c.uuid); // behind Zun's back
    await r.locks.idle();
    assert.equal(r.conductor.row(c.uuid).status, 'Stopped');
    await r.sync.stop();
  });

  test('auto_heal starts a container that died unexpectedly', async () => {
    const r = rig();
    r.sync.start();
    const c = await created(r, { auto_heal: true });
    await r.driver.kill(ctx, c.uuid);
    await r.locks.idle();
    assert.equal(r.driver.containers.get(c.uuid)?.running, true);
    assert.equal(r.conductor.row(c.uuid).status, 'Running');
    await r.sync.stop();
  });

  test('a vanished engine container: Error, auto_remove → record gone, auto_heal → made again', async () => {
    const r = rig();
    const plain = await created(r, { uuid: '00000000-0000-4000-8000-000000000001' });
    const removed = await created(r, { uuid: '00000000-0000-4000-8000-000000000002', auto_remove: true });
    const healed = await created(r, { uuid: '00000000-0000-4000-8000-000000000003', auto_heal: true });
    for (const c of [plain, removed, healed]) r.driver.containers.delete(c.uuid);
    await r.sync.syncAll(ctx);
    assert.equal(r.conductor.row(plain.uuid).status, 'Error');
    assert.equal(r.conductor.row(plain.uuid).status_reason, `No such container: ${plain.container_id} in docker`);
    assert.equal(r.conductor.rows.has(removed.uuid), false);
    assert.equal(r.conductor.row(healed.uuid).status, 'Running');
    assert.ok(r.driver.containers.has(healed.uuid));
  });

  test('the sync keeps the addresses of the ports and records the published ports the engine has now', async () => {
    const r = rig();
    const c = await created(r);
    const addresses = { 'net-1': [{ addr: '10.210.1.5', version: 4 as const, port: 'port-1', subnet_id: 'sub-1', preserve_on_delete: false }] };
    r.conductor.row(c.uuid).addresses = addresses;
    const engine = r.driver.containers.get(c.uuid);
    assert.ok(engine);
    engine.published = [{ port: 80, protocol: 'tcp', host_ip: '0.0.0.0', host_port: 32999 }];
    await r.sync.syncAll(ctx);
    assert.deepEqual(r.conductor.row(c.uuid).addresses, addresses);
    assert.deepEqual(r.conductor.row(c.uuid).published_ports, [{ port: 80, protocol: 'tcp', host_ip: '127.0.0.1', host_port: 32999 }]);
  });

  test('a container already in Error whose engine container is gone keeps its reason', async () => {
    const r = rig();
    const c = await created(r);
    Object.assign(r.conductor.row(c.uuid), { status: 'Error', status_reason: 'manifest unknown' });
    r.driver.containers.delete(c.uuid);
    await r.sync.syncAll(ctx);
    assert.deepEqual([r.conductor.row(c.uuid).status, r.conductor.row(c.uuid).status_reason], ['Error', 'manifest unknown']);
  });

  test('the periodic sync read every record again each cycle: records that match the engine cost no conductor call', async () => {
    const r = rig();
    const steady = await created(r);
    const changed = await created(r, { uuid: '00000000-0000-4000-8000-0000000000c1' });
    await r.sync.syncAll(ctx); // the first cycle writes what the engine shows
    let reads = 0;
    const get = r.records.get.bind(r.records);
    r.records.get = (c: RequestContext, uuid: string) => {
      reads++;
      return get(c, uuid);
    };
    const saves = r.conductor.saves.length;
    await r.sync.syncAll(ctx);
    assert.equal(reads, 0, 'nothing changed: no record read again');
    assert.equal(r.conductor.saves.length, saves, 'nothing saved');
    await r.driver.kill(ctx, changed.uuid); // behind Zun's back
    await r.sync.syncAll(ctx);
    assert.equal(reads, 1, 'only the changed container is read again (under its lock) and saved');
    assert.equal(r.conductor.row(changed.uuid).status, 'Stopped');
    assert.equal(r.conductor.row(steady.uuid).status, 'Running');
  });

  test('an engine container of this host without a record is removed after the grace period only', async () => {
    let now = 0;
    const r = rig({ now: () => now });
    const mine = '00000000-0000-4000-8000-0000000000aa';
    const foreign = '00000000-0000-4000-8000-0000000000bb';
    await r.driver.create(ctx, { uuid: mine, image: 'x', labels: { [COMPUTE_HOST_LABEL]: HOST } });
    await r.driver.create(ctx, { uuid: foreign, image: 'x', labels: { [COMPUTE_HOST_LABEL]: 'cn2' } });
    await r.sync.syncAll(ctx);
    now = 999;
    await r.sync.syncAll(ctx);
    assert.equal(r.driver.containers.size, 2, 'still in the grace period');
    now = 1000;
    await r.sync.syncAll(ctx);
    assert.deepEqual([...r.driver.containers.keys()], [foreign], 'another host\'s container is not ours to remove');
  });
});

describe('ResourceTracker', () => {
  test('reports totals (disk minus the image reserve) and this host\'s container counts', async () => {
    const r = rig();
    await created(r);
    await r.driver.create(ctx, { uuid: '00000000-0000-4000-8000-0000000000cc', image: 'x', labels: { [COMPUTE_HOST_LABEL]: 'cn2' } });
    const tracker = new ResourceTracker(r.driver, r.records, 0.2, silentLogger());
    assert.equal(tracker.diskQuotaSupported(), null);
    await tracker.update(ctx);
    const [report] = r.conductor.inventories;
    assert.equal(report?.hostname, HOST);
    assert.deepEqual([report?.inventory.mem_total, report?.inventory.cpus, report?.inventory.disk_total], [8192, 4, 80]);
    assert.deepEqual([report?.inventory.running_containers, report?.inventory.stopped_containers], [1, 0]);
    assert.equal('mem_used' in (report?.inventory ?? {}), false);
    assert.equal(tracker.diskQuotaSupported(), false);
  });
});

describe('KeyedLock', () => {
  test('serialises per key, in order, and lets other keys through', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const slow = (tag: string, ms: number) => () => new Promise<void>((res) => setTimeout(() => (order.push(tag), res()), ms));
    await Promise.all([lock.run('a', slow('a1', 30)), lock.run('a', slow('a2', 1)), lock.run('b', slow('b1', 5))]);
    assert.deepEqual(order, ['b1', 'a1', 'a2']);
    await assert.rejects(lock.run('a', () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await lock.run('a', async () => 'next'), 'next', 'a failure does not block the key');
    assert.equal(lock.size <= 1, true);
  });
});
