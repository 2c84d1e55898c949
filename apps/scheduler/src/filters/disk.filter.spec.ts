import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DiskFilter } from './disk.filter';
import { fakeConf, fakeHost, fakeRequest } from '../../tests/fixtures/host-state';

describe('DiskFilter', () => {
  const host = fakeHost({ disk_total: 100, disk_used: 90 });

  test('default ratio 1: passes up to disk_total − disk_used, fails beyond', () => {
    const f = new DiskFilter(fakeConf());
    assert.equal(f.hostPasses(host, fakeRequest({ disk: 10 })), true);
    assert.equal(f.hostPasses(host, fakeRequest({ disk: 11 })), false);
  });

  test('the allocation ratio overcommits: 100 × 2 − 90 = 110', () => {
    const f = new DiskFilter(fakeConf({ disk_allocation_ratio: 2 }));
    assert.equal(f.hostPasses(host, fakeRequest({ disk: 110 })), true);
    assert.equal(f.hostPasses(host, fakeRequest({ disk: 111 })), false);
  });

  test('a disk request needs a host that enforces disk quotas', () => {
    const f = new DiskFilter(fakeConf());
    assert.equal(f.hostPasses(fakeHost({ disk_quota_supported: false }), fakeRequest({ disk: 1 })), false);
  });

  test('no disk requested: passes anywhere', () => {
    const f = new DiskFilter(fakeConf());
    assert.equal(f.hostPasses(fakeHost({ disk_quota_supported: false, disk_used: 500 }), fakeRequest({ disk: 0 })), true);
  });

  test('the reason says which rule failed: no quota support, or not enough room', () => {
    const f = new DiskFilter(fakeConf());
    assert.match(f.rejectReason(fakeHost({ disk_quota_supported: false }), fakeRequest({ disk: 1 })), /cannot enforce a disk size/);
    assert.match(f.rejectReason(host, fakeRequest({ disk: 11 })), /11 GiB requested, 10 GiB usable/);
  });
});
