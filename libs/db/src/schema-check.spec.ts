import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSchemaCurrent, SchemaNotCurrent } from './schema-check';

const known = ['1-initial', '2-add-quota'];

describe('assertSchemaCurrent', () => {
  test('passes at head', () => {
    assert.doesNotThrow(() => assertSchemaCurrent('2-add-quota', known));
  });
  test('an empty database asks for db sync', () => {
    assert.throws(() => assertSchemaCurrent(null, known), (e: unknown) => e instanceof SchemaNotCurrent && /no schema yet.*zun-manage db sync/.test(e.message));
  });
  test('an old schema asks for db sync', () => {
    assert.throws(() => assertSchemaCurrent('1-initial', known), /at 1-initial but this release needs 2-add-quota; run "zun-manage db sync"/);
  });
  test('an unknown (newer) schema asks for an upgrade', () => {
    assert.throws(() => assertSchemaCurrent('3-future', known), /newer than this release knows/);
  });
});
