import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isCanonicalUuid, isUuidLike } from './uuid';

const uuid = '0b5b8f3c-7f7e-4d5e-9c3a-1d2e3f4a5b6c';

describe('uuid helpers', () => {
  test('isCanonicalUuid: 8-4-4-4-12 hex only, any case', () => {
    assert.equal(isCanonicalUuid(uuid), true);
    assert.equal(isCanonicalUuid(uuid.toUpperCase()), true);
    assert.equal(isCanonicalUuid(uuid.replace(/-/g, '')), false);
    assert.equal(isCanonicalUuid(`${uuid}0`), false);
    assert.equal(isCanonicalUuid(uuid.replace('0b', 'zz')), false);
  });

  test('isUuidLike: also the 32 hex digits without dashes; names are not', () => {
    assert.equal(isUuidLike(uuid), true);
    assert.equal(isUuidLike(uuid.replace(/-/g, '')), true);
    assert.equal(isUuidLike(uuid.replace(/-/g, '').toUpperCase()), true);
    for (const name of ['web', '', `${uuid.replace(/-/g, '')}0`, `zun-${uuid}`, ` ${uuid}`]) assert.equal(isUuidLike(name), false, name);
  });
});
