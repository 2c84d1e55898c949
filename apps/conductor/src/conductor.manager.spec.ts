import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, ContainerNotFound, NotAuthorized, silentLogger, ZunServiceNotFound } from '@zun-ts/common';
import { type ContainerExpectation } from '@zun-ts/db';
import { type ComputeNodeInventory, type Container, type ContainerPatch, type Image, type NetworkPort, type ServiceRegistration, type Volume, type ZunService } from '@zun-ts/objects';
import { type RpcCaller } from '@zun-ts/rpc';
import { type ConductorRepositories, ConductorManager } from './conductor.manager';

/** Strict fake: only the two calls the manager may make. */
class FakeServices {
  readonly upserts: ServiceRegistration[] = [];
  readonly beats: string[] = [];
  async upsert(s: ServiceRegistration): Promise<ZunService> {
    this.upserts.push(s);
    const now = new Date();
    return { id: 1, ...s, disabled: false, disabled_reason: null, forced_down: false, report_count: 0, last_seen_up: now, created_at: now, updated_at: null };
  }
  async heartbeat(host: string, binary: string): Promise<void> {
    if (host === 'gone') throw new ZunServiceNotFound(host, binary);
    this.beats.push(`${host}/${binary}`);
  }
}

/** The compute host cn1 (the containers of these tests are on it). */
const CN1: RpcCaller = { host: 'cn1', binary: 'zun-compute' };
const C1: RpcCaller = { host: 'c1', binary: 'zun-compute' };

const unexpected = (name: string) => (): never => {
  throw new Error(`unexpected call ${name}`);
};

interface Calls {
  volumes: unknown[][];
  networks: unknown[][];
  images: unknown[][];
  registries: unknown[][];
  updates: Array<{ uuid: string; patch: ContainerPatch; expected: ContainerExpectation | undefined }>;
  destroyed: string[];
  inventories: Array<{ hostname: string; inventory: Record<string, unknown> }>;
  events: unknown[][];
  builds: unknown[];
}

function manager(services = new FakeServices()): { m: ConductorManager; calls: Calls } {
  const calls: Calls = { volumes: [], networks: [], images: [], registries: [], updates: [], destroyed: [], inventories: [], events: [], builds: [] };
  const repos: ConductorRepositories = {
    services,
    containers: {
      // Every container but 'gone' exists, on host cn1.
      getByUuid: async (_scope, uuid) => {
        if (uuid === 'gone') throw new ContainerNotFound('Container gone could not be found.');
        return { uuid, host: 'cn1' } as Container;
      },
      list: unexpected('list'),
      update: async (uuid, patch, expected) => {
        calls.updates.push({ uuid, patch, expected });
        return { uuid, ...patch } as Container;
      },
      destroy: async (uuid) => {
        if (uuid === 'gone') throw new ContainerNotFound('Container gone could not be found.');
        calls.destroyed.push(uuid);
      },
    },
    computeNodes: {
      upsertFromTracker: async (hostname, inventory) => {
        calls.inventories.push({ hostname, inventory });
        return {} as never;
      },
    },
    actions: {
      eventStart: async (...a) => {
        calls.events.push(['start', ...a]);
        return {} as never;
      },
      eventFinish: async (...a) => {
        calls.events.push(['finish', ...a]);
        return {} as never;
      },
      finish: async (...a) => {
        calls.events.push(['action finish', ...a]);
        return {} as never;
      },
    },
  };
  const builds = {
    build: async (_c: unknown, a: unknown) => void calls.builds.push(['build', a]),
    reschedule: async (_c: unknown, a: unknown) => void calls.builds.push(['reschedule', a]),
  };
  const m = new ConductorManager({ DEFAULT: { host: 'cond-1' } as never }, repos.services, silentLogger(), repos.containers, repos.computeNodes,
    repos.actions, builds, { target: () => Promise.reject(new Error('no console in this test')), createExec: async () => undefined }, {
      mounts: async (...a) => (calls.volumes.push(['mounts', ...a]), []),
      bind: async (...a) => (calls.volumes.push(['bind', ...a]), {} as Volume),
      save: async (...a) => (calls.volumes.push(['save', ...a]), {} as Volume),
      release: async (...a) => (calls.volumes.push(['release', ...a]), []),
      destroy: async (...a) => void calls.volumes.push(['destroy', ...a]),
      onHost: async (...a) => (calls.volumes.push(['onHost', ...a]), []),
    }, {
      containerNetworks: async (...a) => (calls.networks.push(['containerNetworks', ...a]), []),
      save: async (...a) => (calls.networks.push(['save', ...a]), {} as NetworkPort),
      release: async (...a) => void calls.networks.push(['release', ...a]),
      onHost: async (...a) => (calls.networks.push(['onHost', ...a]), []),
    }, {
      pulled: async (...a) => (calls.images.push(['pulled', ...a]), {} as Image),
      destroy: async (...a) => void calls.images.push(['destroy', ...a]),
    }, {
      forContainer: async (...a) => (calls.registries.push(['forContainer', ...a]), null),
    });
  return { m, calls };
}

describe('ConductorManager', () => {
  test('containerRegistry goes to the registry records with the caller', async () => {
    const { m, calls } = manager();
    const caller = { host: 'host-a', binary: 'zun-compute' };
    assert.equal(await m.containerRegistry(adminContext(), { container_uuid: 'c-1' }, caller), null);
    assert.deepEqual(calls.registries, [['forContainer', { container_uuid: 'c-1' }, caller]]);
  });

  test('imagePulled and imageDestroy go to the image records with the caller', async () => {
    const { m, calls } = manager();
    const caller: RpcCaller = { host: 'h1', binary: 'zun-compute' };
    await m.imagePulled(adminContext(), { image_uuid: 'i1', image_id: 'sha256:1', size: '10' }, caller);
    await m.imageDestroy(adminContext(), { image_uuid: 'i1' }, caller);
    assert.deepEqual(calls.images, [
      ['pulled', { image_uuid: 'i1', image_id: 'sha256:1', size: '10' }, caller],
      ['destroy', { image_uuid: 'i1' }, caller],
    ]);
  });

  test('serviceRegister upserts exactly the registration fields and returns the row', async () => {
    const services = new FakeServices();
    const reg = { host: 'c1', binary: 'zun-compute', topic: 'compute.c1', availability_zone: 'nova' };
    const row = await manager(services).m.serviceRegister(adminContext(), { ...reg, extra: 'ignored' } as ServiceRegistration, C1);
    assert.deepEqual(services.upserts, [reg]);
    assert.equal(row.host, 'c1');
    assert.equal(row.topic, 'compute.c1');
  });

  test('serviceHeartbeat stamps the row; an unknown service surfaces ZunServiceNotFound', async () => {
    const services = new FakeServices();
    const { m } = manager(services);
    await m.serviceHeartbeat(adminContext(), { host: 'c1', binary: 'zun-compute' }, C1);
    assert.deepEqual(services.beats, ['c1/zun-compute']);
    await assert.rejects(m.serviceHeartbeat(adminContext(), { host: 'gone', binary: 'zun-compute' }, { host: 'gone', binary: 'zun-compute' }), ZunServiceNotFound);
  });

  test('ping answers with the conductor host', async () => {
    assert.deepEqual(await manager().m.ping(adminContext(), {}), { host: 'cond-1' });
  });

  test('containerSave passes the guard through and drops fields a compute host may not write', async () => {
    const { m, calls } = manager();
    const patch = { status: 'Running', host: 'elsewhere', project_id: 'p2', task_state: null } as unknown as ContainerPatch;
    await m.containerSave(adminContext(), { container_uuid: 'u1', patch, expected: { status: ['Created'] } }, CN1);
    assert.deepEqual(calls.updates, [{ uuid: 'u1', patch: { status: 'Running', task_state: null }, expected: { status: ['Created'] } }]);
  });

  test('containerDestroy is idempotent', async () => {
    const { m, calls } = manager();
    await m.containerDestroy(adminContext(), { container_uuid: 'u1' }, CN1);
    await m.containerDestroy(adminContext(), { container_uuid: 'gone' }, CN1);
    assert.deepEqual(calls.destroyed, ['u1']);
  });

  test('computeNodeUpdate writes inventory fields only, never the claim counters', async () => {
    const { m, calls } = manager();
    const inventory = { mem_total: 2048, cpus: 2, disk_total: 40, mem_used: 999, cpu_used: 9, total_containers: 7, architecture: 'x86_64', os: 'Debian',
      os_type: 'linux', kernel_version: '6', labels: {}, runtimes: ['runc'], disk_quota_supported: false, enable_cpu_pinning: false } as ComputeNodeInventory;
    await m.computeNodeUpdate(adminContext(), { hostname: 'cn1', inventory }, CN1);
    const written = calls.inventories[0]?.inventory ?? {};
    assert.equal(written.mem_total, 2048);
    assert.equal('mem_used' in written || 'cpu_used' in written || 'total_containers' in written, false);
  });

  test('builds, failure reports and action events are handed to their owners', async () => {
    const { m, calls } = manager();
    await m.buildContainer(adminContext(), { container_uuid: 'u1', run: false, hints: {}, availability_zone: null, requested_host: null });
    await m.actionEventStart(adminContext(), { container_uuid: 'u1', request_id: 'r', event: 'compute__do_container_start', host: 'cn1' }, CN1);
    await m.actionEventFinish(adminContext(), { container_uuid: 'u1', request_id: 'r', event: 'compute__do_container_start', host: 'cn1', result: 'Error', traceback: 'x' }, CN1);
    await m.actionFinish(adminContext(), { container_uuid: 'u1', request_id: 'r' }, CN1);
    assert.equal(calls.builds.length, 1);
    assert.deepEqual(calls.events, [
      ['start', 'r', 'u1', 'compute__do_container_start', 'cn1'],
      ['finish', 'r', 'u1', 'compute__do_container_start', 'Error', 'x'],
      ['action finish', 'u1', 'r'],
    ]);
  });
});

describe('ConductorManager networks', () => {
  test('the network methods go to the network records with the caller; networksOnHost names no host but the caller', async () => {
    const { m, calls } = manager();
    const ctx = adminContext();
    await m.containerNetworks(ctx, { container_uuid: 'u1' }, CN1);
    await m.portSave(ctx, { port_uuid: 'p1', patch: { status: 'bound' } }, CN1);
    await m.portRelease(ctx, { container_uuid: 'u1', port_uuid: null }, CN1);
    await m.networksOnHost(ctx, { host: 'cn2' } as never, CN1);
    assert.deepEqual(calls.networks, [
      ['containerNetworks', { container_uuid: 'u1' }, CN1],
      ['save', ctx, { port_uuid: 'p1', patch: { status: 'bound' } }, CN1],
      ['release', ctx, { container_uuid: 'u1', port_uuid: null }, CN1],
      ['onHost', CN1],
    ]);
  });
});

describe('ConductorManager volumes', () => {
  test('the volume methods go to the volume records with the caller; volumesOnHost names no host but the caller', async () => {
    const { m, calls } = manager();
    const ctx = adminContext();
    await m.containerMounts(ctx, { container_uuid: 'u1' }, CN1);
    await m.volumeBind(ctx, { volume_uuid: 'v1' }, CN1);
    await m.volumeSave(ctx, { volume_uuid: 'v1', patch: { status: 'error' } }, CN1);
    await m.volumeRelease(ctx, { container_uuid: 'u1' }, CN1);
    await m.volumeDestroy(ctx, { volume_uuid: 'v1' }, CN1);
    await m.volumesOnHost(ctx, { host: 'cn2' } as never, CN1);
    assert.deepEqual(calls.volumes, [
      ['mounts', { container_uuid: 'u1' }, CN1],
      ['bind', { volume_uuid: 'v1' }, CN1],
      ['save', { volume_uuid: 'v1', patch: { status: 'error' } }, CN1],
      ['release', { container_uuid: 'u1' }, CN1],
      ['destroy', { volume_uuid: 'v1' }, CN1],
      ['onHost', CN1],
    ]);
  });
});

describe('ConductorManager host ownership', () => {
  const CN2: RpcCaller = { host: 'cn2', binary: 'zun-compute' };

  test('a container of another host is answered as absent, and nothing is written', async () => {
    const { m, calls } = manager();
    await assert.rejects(m.containerGet(adminContext(), { container_uuid: 'u1' }, CN2), ContainerNotFound);
    await assert.rejects(m.containerSave(adminContext(), { container_uuid: 'u1', patch: { status: 'Error' } }, CN2), ContainerNotFound);
    await assert.rejects(m.execInstanceCreate(adminContext(), { container_uuid: 'u1', exec_id: 'e', token: 't', url: 'ws://x' }, CN2));
    await m.containerDestroy(adminContext(), { container_uuid: 'u1' }, CN2);
    await assert.rejects(
      m.actionEventStart(adminContext(), { container_uuid: 'u1', request_id: 'r', event: 'e', host: 'cn2' }, CN2),
      ContainerNotFound,
    );
    await assert.rejects(m.actionFinish(adminContext(), { container_uuid: 'u1', request_id: 'r' }, CN2), ContainerNotFound);
    const retry = { request: { container_uuid: 'u1', run: false, hints: {}, availability_zone: null, requested_host: null }, attempt: 1, hosts: ['cn1'] };
    await assert.rejects(m.reportCreateFailure(adminContext(), { container_uuid: 'u1', host: 'cn2', reason: 'x', retryable: true, retry }, CN2), ContainerNotFound);
    assert.deepEqual([calls.updates, calls.destroyed, calls.events, calls.builds], [[], [], [], []]);
  });

  test('a host lists, reports and registers only for itself; only compute hosts use the host methods', async () => {
    const services = new FakeServices();
    const { m, calls } = manager(services);
    await assert.rejects(m.containersOnHost(adminContext(), { host: 'cn1' }, CN2), NotAuthorized);
    await assert.rejects(m.computeNodeUpdate(adminContext(), { hostname: 'cn1', inventory: {} }, CN2), NotAuthorized);
    await assert.rejects(m.reportCreateFailure(adminContext(), { container_uuid: 'u1', host: 'cn1', reason: 'x', retryable: true,
      retry: { request: { container_uuid: 'u1', run: false, hints: {}, availability_zone: null, requested_host: null }, attempt: 1, hosts: [] } }, CN2), NotAuthorized);
    await assert.rejects(m.actionEventStart(adminContext(), { container_uuid: 'u1', request_id: 'r', event: 'e', host: 'cn1' }, CN2), NotAuthorized);
    await assert.rejects(m.serviceHeartbeat(adminContext(), { host: 'cn1', binary: 'zun-compute' }, CN2), NotAuthorized);
    await assert.rejects(m.serviceRegister(adminContext(), { host: 'cn1', binary: 'zun-compute', topic: 'compute.cn1', availability_zone: null }, CN2), NotAuthorized);
    await assert.rejects(m.containerGet(adminContext(), { container_uuid: 'u1' }, { host: 'cn1', binary: 'zun-wsproxy' }), NotAuthorized);
    assert.deepEqual([calls.inventories, calls.events, calls.builds, services.upserts, services.beats], [[], [], [], [], []]);
  });

  test('the owner host is served; events of a container already destroyed are still recorded', async () => {
    const { m, calls } = manager();
    assert.equal((await m.containerGet(adminContext(), { container_uuid: 'u1' }, CN1)).uuid, 'u1');
    await m.actionEventFinish(adminContext(), { container_uuid: 'gone', request_id: 'r', event: 'e', host: 'cn1', result: 'Success', traceback: null }, CN1);
    assert.deepEqual(calls.events, [['finish', 'r', 'gone', 'e', 'Success', null]]);
  });
});
