import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeHost, fakeRequest } from '../../tests/fixtures/host-state';
import { LabelFilter } from './label.filter';

describe('LabelFilter', () => {
  const f = new LabelFilter();
  const host = fakeHost({ labels: { type: 'gpu', rack: 'r1' } });

  test('every label: hint must equal the host label', () => {
    assert.equal(f.hostPasses(host, fakeRequest({ hints: { 'label:type': 'gpu', 'label:rack': 'r1' } })), true);
    assert.equal(f.hostPasses(host, fakeRequest({ hints: { 'label:type': 'gpu', 'label:rack': 'r2' } })), false);
  });

  test('a label the host lacks fails, even one named like an Object property', () => {
    assert.equal(f.hostPasses(host, fakeRequest({ hints: { 'label:ssd': 'true' } })), false);
    assert.equal(f.hostPasses(host, fakeRequest({ hints: { 'label:constructor': '[object]' } })), false);
  });

  test('hints without the label: prefix are ignored', () => {
    assert.equal(f.hostPasses(host, fakeRequest({ hints: { type: 'cpu', foo: 'bar' } })), true);
    assert.equal(f.hostPasses(fakeHost({ labels: {} }), fakeRequest()), true);
  });
});
