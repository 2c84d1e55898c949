import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaValidationError } from '@zun-ts/common';
import { compileValidator, numberFromStr, setDynamicEnum } from './json-schema.validator';
import { querySchema } from './query-schema';
import { pyRepr, pyStr } from './python-repr.util';

describe('python repr', () => {
  test('strings, numbers, booleans, None, lists and dicts print as Python prints them', () => {
    assert.equal(pyRepr('a'), "'a'");
    assert.equal(pyRepr("it's"), `"it's"`);
    assert.equal(pyRepr(`it's "x"`), `'it\\'s "x"'`);
    assert.equal(pyRepr('a\nb\\'), "'a\\nb\\\\'");
    assert.equal(pyRepr(true), 'True');
    assert.equal(pyRepr(null), 'None');
    assert.equal(pyRepr([1, 'x', false]), "[1, 'x', False]");
    assert.equal(pyRepr({ a: { b: [] } }), "{'a': {'b': []}}");
    assert.equal(pyStr('plain'), 'plain');
    assert.equal(pyStr({ k: 'v' }), "{'k': 'v'}");
  });

  test('numeric strings are read like int() then float()', () => {
    assert.deepEqual(numberFromStr('16'), { value: 16, repr: '16' });
    assert.deepEqual(numberFromStr(' 5 '), { value: 5, repr: '5' });
    assert.deepEqual(numberFromStr('16.0'), { value: 16, repr: '16.0' });
    assert.deepEqual(numberFromStr('.5'), { value: 0.5, repr: '0.5' });
    assert.deepEqual(numberFromStr('1e3'), { value: 1000, repr: '1000.0' });
    assert.equal(numberFromStr('abc'), null);
    assert.equal(numberFromStr(''), null);
    assert.equal(numberFromStr('.'), null);
    assert.equal(numberFromStr('e5'), null);
    assert.equal(numberFromStr(null), null);
    assert.equal(numberFromStr([1]), null);
  });
});

describe('dynamicEnum', () => {
  const body = { type: 'object', properties: { d: { type: ['string', 'null'], dynamicEnum: 'spec-drivers' } } };
  const bodyMessage = (d: unknown): string | null => {
    try {
      compileValidator(body, 'body')({ d });
      return null;
    } catch (e) {
      assert.ok(e instanceof SchemaValidationError);
      return e.message;
    }
  };
  const queryMessage = (d: string): string | null => {
    try {
      querySchema(body)({ d });
      return null;
    } catch (e) {
      assert.ok(e instanceof SchemaValidationError);
      return e.message;
    }
  };

  test('its values are those set last, in bodies and query strings, reported like enum', () => {
    setDynamicEnum('spec-drivers', ['docker', null]);
    assert.equal(bodyMessage('docker'), null);
    assert.equal(bodyMessage('local'), "Invalid input for field 'd'.Value: 'local'. 'local' is not one of ['docker', None]");
    assert.equal(queryMessage('local'), "Invalid input for query parameters 'd'. Value: 'local'. 'local' is not one of ['docker', None]");
    setDynamicEnum('spec-drivers', ['docker', 'local', null]);
    assert.equal(bodyMessage('local'), null);
    assert.equal(queryMessage('local'), null);
    assert.equal(queryMessage('quay'), "Invalid input for query parameters 'd'. Value: 'quay'. 'quay' is not one of ['docker', 'local', None]");
  });
});
