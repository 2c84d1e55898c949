import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeNode, fakeService } from './filters/host-state.fixtures';
import { hostStateFrom, hostStatesFrom, scheduleRequestFor } from './host-state';

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

describe('scheduleRequestFor', () => {
  const container = { cpu: 0.5, memory: '512M', disk: 0, runtime: null, cpu_policy: 'shared' as const };

  test('reads memory as MiB with or without the M suffix; disk 0 is no request', () => {
    const req = scheduleRequestFor(container, { hints: { 'label:a': 'b' }, requested_host: 'n1', ignore_hosts: ['n2'] });
    assert.deepEqual(req, {
      cpu: 0.5, memory: 512, disk: null, runtime: null, hints: { 'label:a': 'b' }, availability_zone: null,
      requested_host: 'n1', cpu_policy: 'shared', ignore_hosts: ['n2'],
    });
    assert.equal(scheduleRequestFor({ ...container, memory: '2048' }).memory, 2048);
    assert.equal(scheduleRequestFor({ ...container, memory: null }).memory, null);
    assert.equal(scheduleRequestFor({ ...container, disk: 3 }).disk, 3);
  });

  test('a corrupt memory value is an error, not a missing request', () => {
    assert.throws(() => scheduleRequestFor({ ...container, memory: 'lots' }), /not a number of MiB/);
  });
});
