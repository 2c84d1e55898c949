import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AvailabilityZoneFilter } from './availability-zone.filter';
import { fakeHost, fakeRequest } from '../../tests/fixtures/host-state';

describe('AvailabilityZoneFilter', () => {
  const f = new AvailabilityZoneFilter();

  test('no requested zone: any host passes', () => {
    assert.equal(f.hostPasses(fakeHost({ availability_zone: 'az-9' }), fakeRequest()), true);
  });

  test('a requested zone keeps only hosts of that zone', () => {
    const req = fakeRequest({ availability_zone: 'az-1' });
    assert.equal(f.hostPasses(fakeHost({ availability_zone: 'az-1' }), req), true);
    assert.equal(f.hostPasses(fakeHost({ availability_zone: 'nova' }), req), false);
  });

  test('is named as in enabled_filters and runs once per request', () => {
    assert.equal(f.name, 'AvailabilityZoneFilter');
    assert.equal(f.runOncePerRequest, true);
  });
});
