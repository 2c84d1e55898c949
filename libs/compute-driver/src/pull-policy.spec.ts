import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidValue } from '@zun-ts/common';
import { decidePull, effectivePullPolicy, normalizePullPolicy } from './pull-policy';

describe('pull policy', () => {
  test('normalises the spellings the API accepts', () => {
    assert.equal(normalizePullPolicy('IfNotPresent'), 'ifnotpresent');
    assert.equal(normalizePullPolicy('Always'), 'always');
    assert.equal(normalizePullPolicy('never'), 'never');
    assert.equal(normalizePullPolicy(null), null);
    assert.equal(normalizePullPolicy('None'), null);
    assert.throws(() => normalizePullPolicy('sometimes'), InvalidValue);
  });

  test('unset: always for latest, ifnotpresent for other tags and digests (Zun get_image_pull_policy)', () => {
    assert.equal(effectivePullPolicy(null, 'latest'), 'always');
    assert.equal(effectivePullPolicy(undefined, '1.36'), 'ifnotpresent');
    assert.equal(effectivePullPolicy(null, null), 'ifnotpresent');
    assert.equal(effectivePullPolicy('Never', 'latest'), 'never');
  });

  test('decisions follow Zun should_pull_image', () => {
    assert.equal(decidePull('always', true), 'pull');
    assert.equal(decidePull('always', false), 'pull');
    assert.equal(decidePull('ifnotpresent', true), 'use-local');
    assert.equal(decidePull('ifnotpresent', false), 'pull');
    assert.equal(decidePull('never', true), 'use-local');
    assert.equal(decidePull('never', false), 'missing');
  });
});
