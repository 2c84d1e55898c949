import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, deserializeError, NoValidHost, RequestedHostNotFound, silentLogger } from '@zun-ts/common';
import { type SchedulerConf } from '@zun-ts/config';
import { type ComputeNode, type ZunService } from '@zun-ts/objects';
import { localClient, SCHEDULER, type SelectDestinationsRequest } from '@zun-ts/rpc';
import { FilterScheduler } from './filter-scheduler';
import { AvailabilityZoneFilter, ComputeFilter, RamFilter, RuntimeFilter } from './filters';
import { fakeConf, fakeNode, fakeService } from '../tests/fixtures/host-state';
import { SchedulerManager, toScheduleRequest } from './scheduler.manager';

function request(patch: Partial<SelectDestinationsRequest> = {}): SelectDestinationsRequest {
  return {
    container_uuid: '0d7f6c1e-0000-4000-8000-00000000000a',
    cpu: 1,
    memory: 512,
    disk: null,
    runtime: null,
    cpu_policy: 'shared',
    hints: {},
    availability_zone: null,
    requested_host: null,
    ignore_hosts: [],
    volume_hosts: [],
    ...patch,
  };
}

function manager(nodes: ComputeNode[], services: ZunService[], scheduler: Partial<SchedulerConf> = {}): SchedulerManager {
  const conf = fakeConf({ enabled_filters: ['AvailabilityZoneFilter', 'ComputeFilter', 'RuntimeFilter', 'RamFilter'], ram_allocation_ratio: 1, ...scheduler });
  const filters = [new AvailabilityZoneFilter(), new ComputeFilter(conf), new RuntimeFilter(), new RamFilter(conf)];
  const fs = new FilterScheduler(filters, conf, silentLogger());
  fs.random = () => 0;
  return new SchedulerManager(conf, fs, { listSchedulable: async () => nodes }, { list: async () => services }, silentLogger());
}

const nodes = [
  fakeNode({ id: 1, hostname: 'a', mem_total: 2048, mem_used: 1024 }),
  fakeNode({ id: 2, hostname: 'b', mem_total: 4096, mem_used: 0 }),
  fakeNode({ id: 3, hostname: 'c', mem_total: 8192, mem_used: 0 }),
];
const services = [
  fakeService({ id: 1, host: 'a' }),
  fakeService({ id: 2, host: 'b' }),
  fakeService({ id: 3, host: 'c', disabled: true }),
  fakeService({ id: 4, host: 'a', binary: 'zun-conductor' }),
];

describe('SchedulerManager', () => {
  test('ping answers with the scheduler host', async () => {
    const m = new SchedulerManager(fakeConf(), { selectHosts: () => [] }, { listSchedulable: async () => [] }, { list: async () => [] }, silentLogger());
    assert.equal((await m.ping(adminContext(), {})).host, fakeConf().DEFAULT.host);
  });

  test('selectDestinations joins nodes with their compute service and returns the fitting hosts, most free memory first', async () => {
    const { hosts } = await manager(nodes, services).selectDestinations(adminContext(), request({ memory: 1024 }));
    assert.deepEqual(hosts, ['b', 'a'], 'c is disabled; b has more free memory than a');
  });

  test('ignore_hosts and memory that fits nowhere', async () => {
    assert.deepEqual((await manager(nodes, services).selectDestinations(adminContext(), request({ ignore_hosts: ['b'] }))).hosts, ['a']);
    await assert.rejects(manager(nodes, services).selectDestinations(adminContext(), request({ memory: 5000 })), NoValidHost);
  });

  test('a requested host is honoured, an unknown one is RequestedHostNotFound', async () => {
    assert.deepEqual((await manager(nodes, services).selectDestinations(adminContext(), request({ requested_host: 'a' }))).hosts, ['a']);
    await assert.rejects(manager(nodes, services).selectDestinations(adminContext(), request({ requested_host: 'zz' })), RequestedHostNotFound);
  });

  test('volume_hosts reach the filters: only the volumes\' host is offered, and none when they are on two hosts', async () => {
    assert.deepEqual(toScheduleRequest(request({ volume_hosts: ['a', 'b', 'a'] })).volume_hosts, ['a', 'b']);
    assert.deepEqual(toScheduleRequest(request()).volume_hosts, []);
    assert.deepEqual((await manager(nodes, services).selectDestinations(adminContext(), request({ volume_hosts: ['a'] }))).hosts, ['a']);
    await assert.rejects(manager(nodes, services).selectDestinations(adminContext(), request({ volume_hosts: ['a', 'b'] })), NoValidHost);
    await assert.rejects(manager(nodes, services).selectDestinations(adminContext(), request({ volume_hosts: ['c'] })), NoValidHost, 'c is disabled');
  });

  test('concurrent requests share host reads, each answered from a read that started after it came', async () => {
    const conf = fakeConf({ enabled_filters: ['ComputeFilter', 'RamFilter'], ram_allocation_ratio: 1 });
    const scheduler = new FilterScheduler([new ComputeFilter(conf), new RamFilter(conf)], conf, silentLogger());
    scheduler.random = () => 0;
    let reads = 0;
    let used = 0;
    // Each read sees host a fuller than the last: an answer from a read older than the request would still offer a.
    const nodeList = async (): Promise<ComputeNode[]> => {
      reads++;
      await new Promise((r) => setTimeout(r, 5));
      return [fakeNode({ id: 1, hostname: 'a', mem_total: 2048, mem_used: used }), fakeNode({ id: 2, hostname: 'b', mem_total: 4096, mem_used: 0 })];
    };
    const m = new SchedulerManager(conf, scheduler, { listSchedulable: nodeList }, { list: async () => services.slice(0, 2) }, silentLogger());
    const answers = await Promise.all(Array.from({ length: 20 }, () => m.selectDestinations(adminContext(), request({ memory: 1024 }))));
    assert.ok(reads <= 2, `20 concurrent requests made ${reads} reads`);
    for (const a of answers) assert.deepEqual(a.hosts, ['b', 'a']);
    used = 2048; // a is full from now on
    assert.deepEqual((await m.selectDestinations(adminContext(), request({ memory: 1024 }))).hosts, ['b'], 'a request after the change reads again');
  });

  test('a decision returns the best [scheduler] hosts_per_decision hosts only', async () => {
    const many = Array.from({ length: 12 }, (_, i) => fakeNode({ id: i + 1, hostname: `h${String(i).padStart(2, '0')}`, mem_total: 1024 * (i + 1), mem_used: 0 }));
    const their = many.map((n, i) => fakeService({ id: i + 1, host: n.hostname }));
    assert.deepEqual((await manager(many, their).selectDestinations(adminContext(), request())).hosts, ['h11', 'h10', 'h09', 'h08', 'h07', 'h06', 'h05', 'h04'], 'the default is 8');
    assert.deepEqual((await manager(many, their, { hosts_per_decision: 2 }).selectDestinations(adminContext(), request())).hosts, ['h11', 'h10']);
  });

  test('toScheduleRequest treats 0 as "not requested" and unknown cpu policies as shared', () => {
    const r = toScheduleRequest(request({ cpu: 0, memory: 0, disk: 0, cpu_policy: 'weird' }));
    assert.deepEqual([r.cpu, r.memory, r.disk, r.cpu_policy], [null, null, null, null]);
    assert.equal(toScheduleRequest(request({ cpu_policy: 'dedicated' })).cpu_policy, 'dedicated');
  });
});

describe('SchedulerManager.selectDestinationsMany', () => {
  // a: 2560 MiB free, b: 3072; containers of 1024 MiB: b, a, b, a, b, then none fits.
  const spread = [fakeNode({ id: 1, hostname: 'a', mem_total: 2560, mem_used: 0 }), fakeNode({ id: 2, hostname: 'b', mem_total: 3072, mem_used: 0 })];
  const up = [fakeService({ id: 1, host: 'a' }), fakeService({ id: 2, host: 'b' })];
  const batch = (n: number, patch: Partial<SelectDestinationsRequest> = {}): SelectDestinationsRequest[] =>
    Array.from({ length: n }, (_, i) => request({ container_uuid: `0d7f6c1e-0000-4000-8000-${String(i).padStart(12, '0')}`, memory: 1024, ...patch }));

  test('decides the batch on one read, each decision taking its resources from its first host: it spreads as a sequence', async () => {
    const m = manager(spread, up);
    const { results } = await m.selectDestinationsMany(adminContext(), { requests: batch(6) });
    assert.equal(m.reads, 1);
    assert.deepEqual(results.slice(0, 5).map((r) => r.hosts), [['b', 'a'], ['a', 'b'], ['b', 'a'], ['a', 'b'], ['b']]);
    assert.equal(results[5]?.hosts, null);
    // The same requests one after another, each on hosts that hold the earlier ones: the same first hosts.
    const used = new Map<string, number>();
    const firsts: Array<string | null> = [];
    for (let i = 0; i < 6; i++) {
      const now = spread.map((n) => ({ ...n, mem_used: used.get(n.hostname) ?? 0 }));
      const first = await manager(now, up).selectDestinations(adminContext(), request({ memory: 1024 })).then((r) => r.hosts[0] ?? null, () => null);
      if (first) used.set(first, (used.get(first) ?? 0) + 1024);
      firsts.push(first);
    }
    assert.deepEqual(results.map((r) => r.hosts?.[0] ?? null), firsts);
  });

  test('NoValidHost and RequestedHostNotFound are one request\'s answer; the others are decided', async () => {
    const requests = [...batch(1), ...batch(1, { memory: 5000 }), ...batch(1, { requested_host: 'zz' }), ...batch(1, { requested_host: 'a' })];
    const { results } = await localClient(SCHEDULER, manager(spread, up)).call('selectDestinationsMany', adminContext(), { requests });
    assert.deepEqual(results.map((r) => r.hosts), [['b', 'a'], null, null, ['a']]);
    assert.deepEqual(results.map((r) => r.error?.name ?? null), [null, 'NoValidHost', 'RequestedHostNotFound', null]);
    assert.ok(deserializeError(results[1]!.error!) instanceof NoValidHost);
    const notFound = deserializeError(results[2]!.error!);
    assert.ok(notFound instanceof RequestedHostNotFound);
    assert.equal(notFound.message, 'Requested host zz could not be found.');
  });

  test('batches of one turn share one read, and neither sees what the other consumed', async () => {
    const m = manager(spread, up);
    const [x, y] = await Promise.all([m.selectDestinationsMany(adminContext(), { requests: batch(2) }), m.selectDestinationsMany(adminContext(), { requests: batch(2) })]);
    assert.equal(m.reads, 1);
    for (const r of [x, y]) assert.deepEqual(r.results.map((o) => o.hosts?.[0]), ['b', 'a']);
    const single = await m.selectDestinations(adminContext(), request({ memory: 1024 }));
    assert.deepEqual(single.hosts, ['b', 'a'], 'a later request reads the hosts as they are');
  });
});
