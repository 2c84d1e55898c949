import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeHost } from '../../tests/fixtures/host-state';
import { bestByWeight, orderByWeight, RamWeigher } from './ram.weigher';

/** Deterministic [0, 1) sequence. */
function seq(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('RamWeigher', () => {
  test('weighs a host by its unclaimed memory', () => {
    assert.equal(new RamWeigher().weigh(fakeHost({ mem_total: 4096, mem_used: 1000 })), 3096);
  });
});

describe('orderByWeight', () => {
  const small = fakeHost({ hostname: 'small', mem_total: 1024, mem_used: 0 });
  const big = fakeHost({ hostname: 'big', mem_total: 8192, mem_used: 0 });
  const mid = fakeHost({ hostname: 'mid', mem_total: 4096, mem_used: 0 });

  test('most free memory first, whatever the random source', () => {
    for (const r of [seq([0]), seq([0.99]), seq([0.5, 0.1])]) {
      assert.deepEqual(orderByWeight([small, big, mid], new RamWeigher(), r).map((h) => h.hostname), ['big', 'mid', 'small']);
    }
  });

  test('ties are broken by the random source', () => {
    const hosts = ['a', 'b', 'c'].map((hostname) => fakeHost({ hostname }));
    const orders = new Set([seq([0]), seq([0.99]), seq([0.5, 0.1]), seq([0.3, 0.7])].map((r) =>
      orderByWeight(hosts, new RamWeigher(), r).map((h) => h.hostname).join()));
    assert.ok(orders.size > 1, `several orders expected, got ${[...orders].join(' | ')}`);
    for (const o of orders) assert.deepEqual(o.split(',').sort(), ['a', 'b', 'c']);
  });

  test('does not modify its input', () => {
    const hosts = [small, big];
    orderByWeight(hosts, new RamWeigher());
    assert.deepEqual(hosts.map((h) => h.hostname), ['small', 'big']);
  });

  test('a limit gives the best hosts only: the first of the full order, ties in the same random order', () => {
    // Few distinct weights among many hosts: most hosts tie with others.
    let state = 7;
    const lcg = (): number => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    for (let round = 0; round < 20; round++) {
      const hosts = Array.from({ length: 50 }, (_, i) => fakeHost({ hostname: `h${i}`, mem_total: 1024 * (1 + Math.floor(lcg() * 4)), mem_used: 0 }));
      const seed = state;
      const all = orderByWeight(hosts, new RamWeigher(), lcg).map((h) => h.hostname);
      for (const limit of [1, 3, 8, 49, 50, 80]) {
        state = seed;
        const best = orderByWeight(hosts, new RamWeigher(), lcg, null, limit).map((h) => h.hostname);
        assert.deepEqual(best, all.slice(0, limit), `limit ${limit}, round ${round}`);
      }
    }
  });

  test('bestByWeight: highest weights first, ties in input order, at most limit', () => {
    const hosts = ['a', 'b', 'c', 'd', 'e'].map((hostname) => fakeHost({ hostname }));
    const names = (limit: number, weights: number[]): string[] => bestByWeight(hosts, weights, limit).map((h) => h.hostname);
    assert.deepEqual(names(3, [1, 5, 3, 5, 2]), ['b', 'd', 'c']);
    assert.deepEqual(names(2, [0, 0, 0, 0, 0]), ['a', 'b']);
    assert.deepEqual(names(9, [1, 2, 3, 4, 5]), ['e', 'd', 'c', 'b', 'a']);
    assert.deepEqual(names(1, [-1, -3, -0.5, -2, -9]), ['c']);
  });
});
