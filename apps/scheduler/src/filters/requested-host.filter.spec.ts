import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeHost, fakeRequest } from '../../tests/fixtures/host-state';
import { RequestedHostFilter } from './requested-host.filter';

describe('RequestedHostFilter', () => {
  const f = new RequestedHostFilter();

  test('keeps only the requested host', () => {
    const req = fakeRequest({ requested_host: 'node-2' });
    assert.equal(f.hostPasses(fakeHost({ hostname: 'node-2' }), req), true);
    assert.equal(f.hostPasses(fakeHost({ hostname: 'node-1' }), req), false);
  });

  test('no requested host: every host passes', () => {
    assert.equal(f.hostPasses(fakeHost({ hostname: 'node-1' }), fakeRequest()), true);
  });
});
