import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeHost, fakeRequest } from '../../tests/fixtures/host-state';
import { VolumeHostFilter } from './volume-host.filter';

describe('VolumeHostFilter', () => {
  const f = new VolumeHostFilter();
  const n1 = fakeHost({ hostname: 'node-1' });
  const n2 = fakeHost({ hostname: 'node-2' });

  test('volumes on one host (however often named) keep only that host', () => {
    const req = fakeRequest({ volume_hosts: ['node-2', 'node-2'] });
    assert.deepEqual([f.hostPasses(n1, req), f.hostPasses(n2, req)], [false, true]);
  });

  test('volumes on different hosts leave none', () => {
    const req = fakeRequest({ volume_hosts: ['node-1', 'node-2'] });
    assert.deepEqual([f.hostPasses(n1, req), f.hostPasses(n2, req)], [false, false]);
  });

  test('no volume on a host yet: every host passes', () => {
    assert.deepEqual([f.hostPasses(n1, fakeRequest()), f.hostPasses(n2, fakeRequest())], [true, true]);
  });

  test('the reason names the host holding the volumes, or the different hosts', () => {
    assert.equal(f.rejectReason(n1, fakeRequest({ volume_hosts: ['node-2'] })), "the container's volumes are on host node-2");
    assert.match(f.rejectReason(n1, fakeRequest({ volume_hosts: ['node-1', 'node-2', 'node-1'] })), /different hosts \(node-1, node-2\)/);
  });
});
