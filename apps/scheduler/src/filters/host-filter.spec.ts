import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultConf } from '@zun-ts/config';
import { fitsCapacity } from './host-filter';
import { AVAILABLE_HOST_FILTERS } from './index';

describe('fitsCapacity', () => {
  test('requested ≤ total × ratio − used', () => {
    assert.equal(fitsCapacity(10, 8, 1.5, 2), true);
    assert.equal(fitsCapacity(10.5, 8, 1.5, 2), false);
  });

  test('a missing or zero request always fits, even on an overcommitted host', () => {
    assert.equal(fitsCapacity(null, 1, 1, 10), true);
    assert.equal(fitsCapacity(0, 1, 1, 10), true);
  });
});

describe('AVAILABLE_HOST_FILTERS', () => {
  test('offers every filter of the default enabled_filters, under unique names', () => {
    const conf = defaultConf();
    const names = AVAILABLE_HOST_FILTERS.map((cls) => new cls(conf as never).name);
    assert.equal(new Set(names).size, names.length);
    for (const n of conf.scheduler.enabled_filters) assert.ok(names.includes(n), `${n} is available`);
    assert.ok(names.includes('CpuSetFilter'));
  });
});
