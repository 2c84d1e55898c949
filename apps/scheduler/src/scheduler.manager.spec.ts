import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, NoValidHost, RequestedHostNotFound, silentLogger } from '@zun-ts/common';
import { type ComputeNode, type ZunService } from '@zun-ts/objects';
import { type SelectDestinationsRequest } from '@zun-ts/rpc';
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

function manager(nodes: ComputeNode[], services: ZunService[]): SchedulerManager {
  const conf = fakeConf({ enabled_filters: ['AvailabilityZoneFilter', 'ComputeFilter', 'RuntimeFilter', 'RamFilter'], ram_allocation_ratio: 1 });
  const filters = [new AvailabilityZoneFilter(), new ComputeFilter(conf), new RuntimeFilter(), new RamFilter(conf)];
  const scheduler = new FilterScheduler(filters, conf, silentLogger());
  scheduler.random = () => 0;
  return new SchedulerManager(conf, scheduler, { list: async () => nodes }, { list: async () => services }, silentLogger());
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
    const m = new SchedulerManager(fakeConf(), { selectHosts: () => [] }, { list: async () => [] }, { list: async () => [] }, silentLogger());
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
    const m = new SchedulerManager(conf, scheduler, { list: nodeList }, { list: async () => services.slice(0, 2) }, silentLogger());
    const answers = await Promise.all(Array.from({ length: 20 }, () => m.selectDestinations(adminContext(), request({ memory: 1024 }))));
    assert.ok(reads <= 2, `20 concurrent requests made ${reads} reads`);
    for (const a of answers) assert.deepEqual(a.hosts, ['b', 'a']);
    used = 2048; // a is full from now on
    assert.deepEqual((await m.selectDestinations(adminContext(), request({ memory: 1024 }))).hosts, ['b'], 'a request after the change reads again');
  });

  test('toScheduleRequest treats 0 as "not requested" and unknown cpu policies as shared', () => {
    const r = toScheduleRequest(request({ cpu: 0, memory: 0, disk: 0, cpu_policy: 'weird' }));
    assert.deepEqual([r.cpu, r.memory, r.disk, r.cpu_policy], [null, null, null, null]);
    assert.equal(toScheduleRequest(request({ cpu_policy: 'dedicated' })).cpu_policy, 'dedicated');
  });
});
