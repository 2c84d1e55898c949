import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeValue, encodeValue } from './message.codec';

test('dates survive a JSON round trip, nested in objects and arrays', () => {
  const d = new Date('2024-02-29T23:59:59.123Z');
  const v = { a: d, b: [d, { c: d }], n: 1, s: 'x', z: null, t: true };
  const wire = JSON.parse(JSON.stringify(encodeValue(v))) as unknown;
  assert.deepEqual(wire, {
    a: { $date: '2024-02-29T23:59:59.123Z' },
    b: [{ $date: '2024-02-29T23:59:59.123Z' }, { c: { $date: '2024-02-29T23:59:59.123Z' } }],
    n: 1, s: 'x', z: null, t: true,
  });
  const back = decodeValue(wire) as typeof v;
  assert.deepEqual(back, v);
  assert.ok(back.a instanceof Date);
});

test('undefined members are dropped and undefined array items become null, as JSON does', () => {
  assert.deepEqual(encodeValue({ a: undefined, b: [undefined, 1] }), { b: [null, 1] });
  assert.equal(encodeValue(undefined), undefined);
});

test('an object with other keys beside $date stays an object', () => {
  assert.deepEqual(decodeValue({ $date: '2024-01-01T00:00:00.000Z', x: 1 }), { $date: '2024-01-01T00:00:00.000Z', x: 1 });
  assert.deepEqual(decodeValue({ $date: 5 }), { $date: 5 });
});

test('bigint is refused rather than silently lost', () => {
  assert.throws(() => encodeValue({ n: 1n }), TypeError);
});
