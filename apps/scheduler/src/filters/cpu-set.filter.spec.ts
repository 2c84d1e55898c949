import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CpuSetFilter } from './cpu-set.filter';
import { fakeHost, fakeRequest } from '../../tests/fixtures/host-state';

describe('CpuSetFilter', () => {
  const f = new CpuSetFilter();
  const pinning = fakeHost({ enable_cpu_pinning: true, cpus: 4, cpu_used: 2 });
  const shared = fakeHost({ enable_cpu_pinning: false });

  test('dedicated needs a pinning host with enough unclaimed cores (no overcommit)', () => {
    assert.equal(f.hostPasses(pinning, fakeRequest({ cpu_policy: 'dedicated', cpu: 2 })), true);
    assert.equal(f.hostPasses(pinning, fakeRequest({ cpu_policy: 'dedicated', cpu: 3 })), false);
    assert.equal(f.hostPasses(shared, fakeRequest({ cpu_policy: 'dedicated', cpu: 1 })), false);
  });

  test('shared or unset policy avoids pinning hosts', () => {
    assert.equal(f.hostPasses(shared, fakeRequest({ cpu_policy: 'shared' })), true);
    assert.equal(f.hostPasses(shared, fakeRequest({ cpu_policy: null })), true);
    assert.equal(f.hostPasses(pinning, fakeRequest({ cpu_policy: 'shared' })), false);
  });
});
