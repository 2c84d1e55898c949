import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CPUFilter } from './cpu.filter';
import { fakeConf, fakeHost, fakeRequest } from '../../tests/fixtures/host-state';

describe('CPUFilter', () => {
  const host = fakeHost({ cpus: 2, cpu_used: 1.5 });

  test('ratio 1: passes up to cpus − cpu_used, fails beyond', () => {
    const f = new CPUFilter(fakeConf({ cpu_allocation_ratio: 1 }));
    assert.equal(f.hostPasses(host, fakeRequest({ cpu: 0.5 })), true);
    assert.equal(f.hostPasses(host, fakeRequest({ cpu: 0.6 })), false);
  });

  test('the allocation ratio overcommits: usable = cpus × ratio − cpu_used', () => {
    const f = new CPUFilter(fakeConf({ cpu_allocation_ratio: 16 }));
    assert.equal(f.hostPasses(host, fakeRequest({ cpu: 30.5 })), true);
    assert.equal(f.hostPasses(host, fakeRequest({ cpu: 30.6 })), false);
  });

  test('fractional sums that fit exactly are not rejected by float rounding', () => {
    const f = new CPUFilter(fakeConf({ cpu_allocation_ratio: 1 }));
    assert.equal(f.hostPasses(fakeHost({ cpus: 1, cpu_used: 0.7 }), fakeRequest({ cpu: 0.3 })), true);
  });

  test('no cpu requested: passes on a full host', () => {
    const f = new CPUFilter(fakeConf({ cpu_allocation_ratio: 1 }));
    assert.equal(f.hostPasses(fakeHost({ cpus: 1, cpu_used: 5 }), fakeRequest({ cpu: null })), true);
  });
});
