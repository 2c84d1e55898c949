import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, sleep } from './backoff';

describe('backoffDelay', () => {
  const exact = { jitter: 0 };

  test('doubles from the initial delay', () => {
    assert.deepEqual([0, 1, 2, 3].map((a) => backoffDelay(a, { ...exact, initialMs: 100 })), [100, 200, 400, 800]);
  });

  test('never exceeds maxMs, even after a very long outage', () => {
    assert.equal(backoffDelay(5, { ...exact, initialMs: 1000, maxMs: 5000 }), 5000);
    assert.equal(backoffDelay(10_000, { ...exact }), 30_000);
  });

  test('jitter only shortens the delay, by at most its fraction', () => {
    assert.equal(backoffDelay(2, { initialMs: 100, jitter: 0.5, random: () => 0.999999 }), 200);
    assert.equal(backoffDelay(2, { initialMs: 100, jitter: 0.5, random: () => 0 }), 400);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(3, { initialMs: 100 });
      assert.ok(d >= 720 && d <= 800, `delay ${d}`);
    }
  });

  test('a negative attempt counts as the first', () => {
    assert.equal(backoffDelay(-3, { ...exact, initialMs: 50 }), 50);
  });
});

describe('sleep', () => {
  test('resolves true after the delay', async () => {
    const t0 = Date.now();
    assert.equal(await sleep(30), true);
    assert.ok(Date.now() - t0 >= 25);
  });

  test('resolves false as soon as the signal aborts', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 10);
    assert.equal(await sleep(5000, ac.signal), false);
    assert.ok(Date.now() - t0 < 1000);
  });

  test('resolves false at once for an already aborted signal', async () => {
    assert.equal(await sleep(5000, AbortSignal.abort()), false);
  });
});
