import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeHost } from '../../tests/fixtures/host-state';
import { orderByWeight, RamWeigher } from './ram.weigher';

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
});
