import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedFreshRead } from './shared-fresh-read';

/** A load whose reads the test finishes by hand; each read reports the number it was started as. */
function manualLoad(): { load: () => Promise<number>; started: number; finish(i: number, err?: Error): void } {
  const pending: { resolve: (n: number) => void; reject: (e: Error) => void }[] = [];
  const m = {
    started: 0,
    load: (): Promise<number> => {
      const n = ++m.started;
      return new Promise<number>((resolve, reject) => pending.push({ resolve: () => resolve(n), reject }));
    },
    finish: (i: number, err?: Error): void => {
      const p = pending[i - 1];
      if (!p) throw new Error(`read ${i} was never started`);
      if (err) p.reject(err);
      else p.resolve(i);
    },
  };
  return m;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SharedFreshRead', () => {
  test('callers during a read share the next one, which starts after the running one ends', async () => {
    const m = manualLoad();
    const shared = new SharedFreshRead(m.load);
    const first = shared.get();
    const during = [shared.get(), shared.get(), shared.get()];
    await tick();
    assert.equal(m.started, 1, 'the queued read waits for the running one');
    m.finish(1);
    assert.equal(await first, 1);
    await tick();
    assert.equal(m.started, 2, 'one read for the three callers that came during the first');
    m.finish(2);
    assert.deepEqual(await Promise.all(during), [2, 2, 2], 'they get the read started after they asked, not the running one');
    assert.equal(shared.reads, 2);
  });

  test('a caller with nothing running starts a read at once; sequential callers each get their own', async () => {
    const m = manualLoad();
    const shared = new SharedFreshRead(m.load);
    const a = shared.get();
    m.finish(1);
    assert.equal(await a, 1);
    const b = shared.get();
    assert.equal(m.started, 2);
    m.finish(2);
    assert.equal(await b, 2);
  });

  test('a failed read fails its callers only; the next caller reads again', async () => {
    const m = manualLoad();
    const shared = new SharedFreshRead(m.load);
    const first = shared.get();
    const queued = shared.get();
    m.finish(1, new Error('database gone'));
    await assert.rejects(first, /database gone/);
    await tick();
    assert.equal(m.started, 2, 'the queued read still runs after a failure');
    m.finish(2, new Error('still gone'));
    await assert.rejects(queued, /still gone/);
    const later = shared.get();
    assert.equal(m.started, 3);
    m.finish(3);
    assert.equal(await later, 3);
  });
});
