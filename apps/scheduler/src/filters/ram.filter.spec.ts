import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeConf, fakeHost, fakeRequest } from '../../tests/fixtures/host-state';
import { RamFilter } from './ram.filter';

describe('RamFilter', () => {
  const host = fakeHost({ mem_total: 2048, mem_used: 1024 });

  test('ratio 1: passes up to mem_total − mem_used, fails beyond', () => {
    const f = new RamFilter(fakeConf({ ram_allocation_ratio: 1 }));
    assert.equal(f.hostPasses(host, fakeRequest({ memory: 1024 })), true);
    assert.equal(f.hostPasses(host, fakeRequest({ memory: 1025 })), false);
  });

  test('default ratio 1.5: usable = 2048 × 1.5 − 1024 = 2048', () => {
    const f = new RamFilter(fakeConf());
    assert.equal(f.hostPasses(host, fakeRequest({ memory: 2048 })), true);
    assert.equal(f.hostPasses(host, fakeRequest({ memory: 2049 })), false);
  });

  test('no memory requested: passes', () => {
    const f = new RamFilter(fakeConf({ ram_allocation_ratio: 1 }));
    assert.equal(f.hostPasses(fakeHost({ mem_total: 512, mem_used: 512 }), fakeRequest()), true);
  });
});
