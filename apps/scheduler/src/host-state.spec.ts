import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeNode, fakeService } from '../tests/fixtures/host-state';
import { consumedBy, hostStateFrom, hostStatesFrom } from './host-state';

describe('hostStateFrom', () => {
  test('copies the node resources and derives unclaimed memory', () => {
    const h = hostStateFrom(
      fakeNode({ hostname: 'n1', mem_total: 8192, mem_used: 2048, cpus: 8, cpu_used: 2.5, disk_total: 50, disk_used: 5,
        labels: { type: 'gpu' }, runtimes: ['runc', 'kata'], enable_cpu_pinning: true, total_containers: 7 }),
      fakeService({ host: 'n1', availability_zone: 'az-1' }),
      'nova',
    );
    assert.equal(h.hostname, 'n1');
    assert.equal(h.free_mem, 6144);
    assert.deepEqual([h.cpus, h.cpu_used, h.disk_total, h.disk_used, h.total_containers], [8, 2.5, 50, 5, 7]);
    assert.deepEqual(h.labels, { type: 'gpu' });
    assert.deepEqual(h.runtimes, ['runc', 'kata']);
    assert.equal(h.availability_zone, 'az-1');
    assert.equal(h.enable_cpu_pinning, true);
    assert.equal(h.service.host, 'n1');
  });

  test('a service without zone gets default_availability_zone; null labels/runtimes become empty', () => {
    const h = hostStateFrom(fakeNode({ labels: null, runtimes: null }), fakeService({ availability_zone: null }), 'zone-x');
    assert.equal(h.availability_zone, 'zone-x');
    assert.deepEqual(h.labels, {});
    assert.deepEqual(h.runtimes, []);
  });
});

describe('hostStatesFrom', () => {
  test('joins nodes with their zun-compute service and skips nodes without one', () => {
    const nodes = [fakeNode({ hostname: 'a' }), fakeNode({ hostname: 'b' }), fakeNode({ hostname: 'c' })];
    const services = [
      fakeService({ host: 'c', availability_zone: 'z3' }),
      fakeService({ host: 'a' }),
      fakeService({ host: 'b', binary: 'zun-conductor' }),
    ];
    const states = hostStatesFrom(nodes, services, 'nova');
    assert.deepEqual(states.map((s) => [s.hostname, s.availability_zone]), [['a', 'nova'], ['c', 'z3']]);
  });
});

describe('consumedBy', () => {
  test('a new state with the request\'s resources used and one container more; the shared state is untouched', () => {
    const h = hostStateFrom(fakeNode({ mem_total: 4096, mem_used: 1024, cpu_used: 1, disk_used: 20, total_containers: 2 }), fakeService(), 'nova');
    const before = structuredClone(h);
    const after = consumedBy(h, { cpu: 0.5, memory: 512, disk: 10 });
    assert.deepEqual([after.mem_used, after.free_mem, after.cpu_used, after.disk_used, after.total_containers], [1536, 2560, 1.5, 30, 3]);
    assert.equal(after.hostname, h.hostname);
    assert.deepEqual(h, before);
    const none = consumedBy(h, { cpu: null, memory: null, disk: null });
    assert.deepEqual([none.mem_used, none.free_mem, none.cpu_used, none.disk_used, none.total_containers], [1024, 3072, 1, 20, 3]);
  });
});
