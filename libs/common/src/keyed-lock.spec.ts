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

  void describe('runAll', () => {
    const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
    /** A step that records when it ran and finishes when told. */
    const gate = (log: string[], name: string): { fn: () => Promise<string>; open: () => void } => {
      let open = (): void => {};
      const done = new Promise<void>((r) => (open = r));
      return {
        fn: async () => {
          log.push(`${name} start`);
          await done;
          log.push(`${name} end`);
          return name;
        },
        open: () => open(),
      };
    };

    void test('runs on one key go one at a time, in arrival order', async () => {
      const lock = new KeyedLock();
      const log: string[] = [];
      const a = gate(log, 'a');
      const b = gate(log, 'b');
      const pa = lock.runAll(['net1'], a.fn);
      const pb = lock.runAll(['net1'], b.fn);
      await tick();
      assert.deepEqual(log, ['a start'], 'b waits while a runs');
      a.open();
      assert.equal(await pa, 'a');
      await tick();
      assert.deepEqual(log, ['a start', 'a end', 'b start']);
      b.open();
      assert.equal(await pb, 'b');
      await tick();
      assert.equal(lock.size, 0, 'nothing is left queued');
    });

    void test('runs on different keys, or on none, go together', async () => {
      const lock = new KeyedLock();
      const log: string[] = [];
      const a = gate(log, 'a');
      const b = gate(log, 'b');
      const c = gate(log, 'c');
      const all = [lock.runAll(['net1'], a.fn), lock.runAll(['net2'], b.fn), lock.runAll([], c.fn)];
      await tick();
      assert.deepEqual(log.sort(), ['a start', 'b start', 'c start']);
      a.open();
      b.open();
      c.open();
      assert.deepEqual(await Promise.all(all), ['a', 'b', 'c']);
    });

    void test('runs sharing two keys named in either order wait for each other without deadlock', async () => {
      const lock = new KeyedLock();
      const log: string[] = [];
      const a = gate(log, 'a');
      const b = gate(log, 'b');
      const pa = lock.runAll(['net2', 'net1'], a.fn);
      const pb = lock.runAll(['net1', 'net2', 'net1'], b.fn);
      await tick();
      assert.deepEqual(log, ['a start']);
      a.open();
      b.open();
      assert.deepEqual(await Promise.all([pa, pb]), ['a', 'b']);
      assert.deepEqual(log, ['a start', 'a end', 'b start', 'b end']);
    });

    void test('a failed run lets the next one on its keys go', async () => {
      const lock = new KeyedLock();
      await assert.rejects(lock.runAll(['net1'], () => Promise.reject(new Error('engine said no'))), /engine said no/);
      assert.equal(await lock.runAll(['net1'], () => Promise.resolve('next')), 'next');
    });
  });
});
