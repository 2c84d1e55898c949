import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequest, deserializeError, InvalidValue, serializeError } from '@zun-ts/common';
import { InvalidMemory, memoryMiBOf, parseMemoryMiB } from './memory';

describe('parseMemoryMiB', () => {
  test("reads Zun's memory strings: digits of MiB, optionally suffixed M, blanks ignored", () => {
    assert.deepEqual(['512', '512M', ' 64m ', '0', '2048'].map((m) => parseMemoryMiB(m)), [512, 512, 64, 0, 2048]);
  });

  test('takes a whole number of MiB as it is', () => {
    assert.equal(parseMemoryMiB(128), 128);
    assert.equal(parseMemoryMiB(0), 0);
  });

  test('junk, other units, fractions and negatives are InvalidMemory (a 400 InvalidValue)', () => {
    for (const junk of ['lots', '', ' ', '1G', '512k', '512MB', '1.5', '-4', '5 12', 'M', '0x10', '99999999999999999999']) {
      assert.throws(() => parseMemoryMiB(junk), (e: unknown) => e instanceof InvalidMemory && e instanceof InvalidValue && e.status === 400, junk);
    }
    for (const junk of [1.5, -1, NaN, Infinity]) assert.throws(() => parseMemoryMiB(junk), InvalidMemory, String(junk));
  });

  test('the error names the value and says what is expected', () => {
    assert.throws(() => parseMemoryMiB('lots'), { message: 'Invalid memory "lots": must be a whole number of MiB.' });
  });

  test('InvalidMemory crosses RPC typed', () => {
    const back = deserializeError(serializeError(InvalidMemory.of('x')));
    assert.ok(back instanceof InvalidMemory && back instanceof BadRequest);
    assert.equal(back.message, 'Invalid memory "x": must be a whole number of MiB.');
  });
});

describe('memoryMiBOf', () => {
  test('unset is null; a value is parsed strictly', () => {
    assert.deepEqual(['512', '512M', ' 64m ', null, undefined, 32].map((m) => memoryMiBOf(m)), [512, 512, 64, null, null, 32]);
    assert.throws(() => memoryMiBOf('lots'), InvalidMemory);
  });
});
