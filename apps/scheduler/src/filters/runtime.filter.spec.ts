import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeHost, fakeRequest } from '../../tests/fixtures/host-state';
import { RuntimeFilter } from './runtime.filter';

describe('RuntimeFilter', () => {
  const f = new RuntimeFilter();

  test('no runtime requested: passes, even on a host reporting none', () => {
    assert.equal(f.hostPasses(fakeHost({ runtimes: [] }), fakeRequest()), true);
  });

  test('a requested runtime must be offered by the host', () => {
    const req = fakeRequest({ runtime: 'kata' });
    assert.equal(f.hostPasses(fakeHost({ runtimes: ['runc', 'kata'] }), req), true);
    assert.equal(f.hostPasses(fakeHost({ runtimes: ['runc'] }), req), false);
  });
});
