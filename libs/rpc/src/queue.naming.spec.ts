import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidValue } from '@zun-ts/common';
import { assertPrefix, assertTopic, computeTopic, CONDUCTOR_TOPIC, replyKey, SCHEDULER_TOPIC } from './queue.naming';

test('topic names', () => {
  assert.equal(CONDUCTOR_TOPIC, 'conductor');
  assert.equal(SCHEDULER_TOPIC, 'scheduler');
  assert.equal(computeTopic('cn-1.example.org'), 'compute.cn-1.example.org');
});

test('a host that cannot name a queue is refused', () => {
  for (const host of ['', 'a:b', 'with space', 'tab\t', 'slash/host']) {
    assert.throws(() => computeTopic(host), InvalidValue, JSON.stringify(host));
  }
  assert.throws(() => assertTopic('-leading-dash'), InvalidValue);
});

test('reply keys live under the prefix and never look like a queue key', () => {
  assert.equal(replyKey('zun', 'abc'), 'zun:rpc-reply:abc');
  assert.throws(() => assertPrefix(''), InvalidValue);
  assert.throws(() => assertPrefix('a b'), InvalidValue);
  assert.equal(assertPrefix('zun-test:1'), 'zun-test:1');
});
