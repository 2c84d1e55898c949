import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyedLock } from './keyed-lock';

void describe('KeyedLock', () => {
  void test('serialises per key, in order, and lets other keys through', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const slow = (tag: string, ms: number) => () => new Promise<void>((res) => setTimeout(() => (order.push(tag), res()), ms));
    await Promise.all([lock.run('a', slow('a1', 30)), lock.run('a', slow('a2', 1)), lock.run('b', slow('b1', 5))]);
    assert.deepEqual(order, ['b1', 'a1', 'a2']);
  });

  void test('a failure does not block the key; idle() waits for queued work; settled keys are forgotten', async () => {
    const lock = new KeyedLock();
    await assert.rejects(lock.run('a', () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await lock.run('a', async () => 'next'), 'next');
    let done = false;
    void lock.run('b', () => new Promise<void>((res) => setTimeout(() => ((done = true), res()), 10)));
    await lock.idle();
    assert.equal(done, true);
    await new Promise((r) => setImmediate(r));
    assert.equal(lock.size, 0);
  });
});
