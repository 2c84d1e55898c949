import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EndpointTeardowns } from './endpoint-teardowns';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A step that records when it ran and finishes when told. */
function gate(log: string[], name: string): { fn: () => Promise<string>; open: () => void } {
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
}

describe('EndpointTeardowns', () => {
  test('teardowns on one network run one at a time, in arrival order', async () => {
    const t = new EndpointTeardowns();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const pa = t.run(['net1'], a.fn);
    const pb = t.run(['net1'], b.fn);
    await tick();
    assert.deepEqual(log, ['a start'], 'b waits while a releases its endpoint');
    a.open();
    assert.equal(await pa, 'a');
    await tick();
    assert.deepEqual(log, ['a start', 'a end', 'b start']);
    b.open();
    assert.equal(await pb, 'b');
    await tick();
    assert.equal(t.busy, 0, 'nothing is left queued');
  });

  test('teardowns on different networks, or on none, run together', async () => {
    const t = new EndpointTeardowns();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const c = gate(log, 'c');
    const all = [t.run(['net1'], a.fn), t.run(['net2'], b.fn), t.run([], c.fn)];
    await tick();
    assert.deepEqual(log.sort(), ['a start', 'b start', 'c start']);
    a.open();
    b.open();
    c.open();
    assert.deepEqual(await Promise.all(all), ['a', 'b', 'c']);
  });

  test('containers sharing two networks named in either order wait for each other without deadlock', async () => {
    const t = new EndpointTeardowns();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const pa = t.run(['net2', 'net1'], a.fn);
    const pb = t.run(['net1', 'net2', 'net1'], b.fn);
    await tick();
    assert.deepEqual(log, ['a start']);
    a.open();
    b.open();
    assert.deepEqual(await Promise.all([pa, pb]), ['a', 'b']);
    assert.deepEqual(log, ['a start', 'a end', 'b start', 'b end']);
  });

  test('a failed teardown lets the next one on its network go', async () => {
    const t = new EndpointTeardowns();
    await assert.rejects(t.run(['net1'], () => Promise.reject(new Error('engine said no'))), /engine said no/);
    assert.equal(await t.run(['net1'], () => Promise.resolve('next')), 'next');
  });
});
