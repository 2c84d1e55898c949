import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidValue } from '@zun-ts/common';
import { resolveRpcOptions } from './rpc.options';

test('defaults', () => {
  const o = resolveRpcOptions({ redisUrl: 'redis://h:1/0' });
  assert.equal(o.prefix, 'zun');
  assert.equal(o.callTimeoutMs, 60_000);
  assert.equal(o.lockDurationMs, 10_000);
  assert.equal(o.stalledIntervalMs, 5_000);
  assert.equal(o.castAttempts, 6);
  assert.equal(o.failedJobsKept, 100);
});

test('bad values are refused', () => {
  assert.throws(() => resolveRpcOptions({ redisUrl: '' }), RangeError);
  assert.throws(() => resolveRpcOptions({ redisUrl: 'redis://h', callTimeoutMs: 0 }), RangeError);
  assert.throws(() => resolveRpcOptions({ redisUrl: 'redis://h', lockDurationMs: Number.NaN }), RangeError);
  assert.throws(() => resolveRpcOptions({ redisUrl: 'redis://h', prefix: '' }), InvalidValue);
});
