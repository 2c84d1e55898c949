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

/** One turn of the event loop: what a read started on setImmediate needs to have started. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SharedFreshRead', () => {
  test('a read starts on the next turn, not in the caller\'s: the callers of one turn share it', async () => {
    const m = manualLoad();
    const shared = new SharedFreshRead(m.load);
    const callers = [shared.get(), shared.get()];
    assert.equal(m.started, 0, 'nothing read in the caller\'s turn');
    callers.push(shared.get());
    await turn();
    assert.equal(m.started, 1, 'one read for the three callers of the turn');
    m.finish(1);
    assert.deepEqual(await Promise.all(callers), [1, 1, 1]);
  });

  test('a synchronous load (SQLite) is still shared by the requests of one turn', async () => {
    let reads = 0;
    const shared = new SharedFreshRead(() => Promise.resolve(++reads));
    // As the RPC server delivers a batch of messages: each handler asks in its own microtask of the same turn.
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => Promise.resolve(i).then(() => shared.get())));
    assert.deepEqual(answers, Array.from({ length: 16 }, () => 1));
    assert.equal(shared.reads, 1);
    assert.equal(await shared.get(), 2, 'a later caller gets a read of its own');
  });

  test('callers during a read share the next one, which starts after the running one ends', async () => {
    const m = manualLoad();
    const shared = new SharedFreshRead(m.load);
    const first = shared.get();
    await turn();
    assert.equal(m.started, 1);
    const during = [shared.get(), shared.get()];
    await turn();
    during.push(shared.get());
    await turn();
    assert.equal(m.started, 1, 'the queued read waits for the running one');
    m.finish(1);
    assert.equal(await first, 1);
    await turn();
    assert.equal(m.started, 2, 'one read for the three callers that came during the first');
    m.finish(2);
    assert.deepEqual(await Promise.all(during), [2, 2, 2], 'they get the read started after they asked, not the running one');
    assert.equal(shared.reads, 2);
  });

  test('callers of different turns with nothing running in between each get their own read', async () => {
    const m = manualLoad();
    const shared = new SharedFreshRead(m.load);
    const a = shared.get();
    await turn();
    m.finish(1);
    assert.equal(await a, 1);
    const b = shared.get();
    await turn();
    assert.equal(m.started, 2);
    m.finish(2);
    assert.equal(await b, 2);
  });

  test('a failed read fails its callers only; the queued and the next callers read again', async () => {
    const m = manualLoad();
    const shared = new SharedFreshRead(m.load);
    const first = shared.get();
    await turn();
    const queued = shared.get();
    m.finish(1, new Error('database gone'));
    await assert.rejects(first, /database gone/);
    await turn();
    assert.equal(m.started, 2, 'the queued read still runs after a failure');
    m.finish(2, new Error('still gone'));
    await assert.rejects(queued, /still gone/);
    const later = shared.get();
    await turn();
    assert.equal(m.started, 3);
    m.finish(3);
    assert.equal(await later, 3);
  });

  test('a load that throws instead of rejecting fails its callers the same way', async () => {
    let calls = 0;
    const shared = new SharedFreshRead<number>(() => {
      calls++;
      if (calls === 1) throw new Error('thrown');
      return Promise.resolve(calls);
    });
    await assert.rejects(shared.get(), /thrown/);
    assert.equal(await shared.get(), 2);
  });
});
