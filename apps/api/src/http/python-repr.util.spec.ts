import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PY_REPR_MAX_DEPTH, pyRepr } from './python-repr.util';

describe('pyRepr', () => {
  test("Python's repr of JSON values", () => {
    assert.equal(pyRepr({ a: [1, 'x', null, true, false] }), "{'a': [1, 'x', None, True, False]}");
    assert.equal(pyRepr("it's"), '"it\'s"');
    assert.equal(pyRepr(Array.from({ length: 100 }, () => 0)).split(', ').length, 100, 'long lists print whole');
  });

  test('a value nested 50,000 deep (from a request body) no longer overflows the stack: cut short past the limit', () => {
    const deep = JSON.parse(`${'['.repeat(50_000)}1${']'.repeat(50_000)}`) as unknown;
    const out = pyRepr(deep);
    assert.equal(out, `${'['.repeat(PY_REPR_MAX_DEPTH)}[...]${']'.repeat(PY_REPR_MAX_DEPTH)}`);
    const obj = JSON.parse(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`) as unknown;
    assert.ok(pyRepr(obj).includes("{'a': {...}}"));
  });
});
