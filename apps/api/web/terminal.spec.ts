import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { closeReason, fitSize } from './terminal';

void describe('the terminal', () => {
  test('columns and rows fill the element, within 20×5 and 500×200', () => {
    assert.deepEqual(fitSize(800, 340, { width: 8, height: 17 }), { cols: 100, rows: 20 });
    assert.deepEqual(fitSize(50, 20, { width: 8, height: 17 }), { cols: 20, rows: 5 });
    assert.deepEqual(fitSize(100_000, 100_000, { width: 8, height: 17 }), { cols: 500, rows: 200 });
    assert.deepEqual(fitSize(800, 340, { width: 0, height: 0 }), { cols: 80, rows: 24 });
  });

  test('the proxy\'s close codes in words', () => {
    assert.equal(closeReason(1008, 'Origin header does not match this host.'), '[refused by the console proxy: Origin header does not match this host.]');
    assert.equal(closeReason(1014, ''), '[the compute host cannot be reached]');
    assert.equal(closeReason(4000, ''), '[closed (4000)]');
  });
});
