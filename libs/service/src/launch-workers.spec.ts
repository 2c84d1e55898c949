import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RespawnGuard } from './launch-workers';

describe('RespawnGuard', () => {
  test('replaces a worker that lived long almost at once', () => {
    const g = new RespawnGuard({ minUptimeMs: 1000, baseDelayMs: 100 });
    assert.equal(g.nextDelay(60_000), 100);
    assert.equal(g.nextDelay(5000), 100);
  });

  test('backs off while workers keep dying young, up to the maximum', () => {
    const g = new RespawnGuard({ minUptimeMs: 1000, baseDelayMs: 100, maxDelayMs: 8000 });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => g.nextDelay(50)), [1000, 2000, 4000, 8000, 8000, 8000]);
  });

  test('a worker that lived long again resets the backoff', () => {
    const g = new RespawnGuard({ minUptimeMs: 1000, baseDelayMs: 100 });
    g.nextDelay(10);
    g.nextDelay(10);
    assert.equal(g.nextDelay(2000), 100);
    assert.equal(g.nextDelay(10), 1000);
  });
});
