import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminContext, MessagingTimeout } from '@zun-ts/common';
import { rpcClient, RpcTransport } from '../src';
import { Redis } from 'ioredis';
import { testTopic } from './fixtures/test.contract';
import { requireEnv, uniquePrefix, waitFor } from './fixtures/test-env';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL');
const prefix = uniquePrefix();
let transport: RpcTransport;
let redis: Redis;

before(() => {
  redis = new Redis(redisUrl);
  transport = RpcTransport.connect({ redisUrl, prefix, callTimeoutMs: 400 });
});

after(async () => {
  await transport.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

test('a call to a queue nobody serves throws MessagingTimeout after its timeout', async () => {
  const client = rpcClient(transport, testTopic('compute.nobody-home'));
  const t0 = performance.now();
  await assert.rejects(client.call('echo', adminContext(), { value: 1 }), (err: unknown) => {
    assert.ok(err instanceof MessagingTimeout);
    assert.match(err.message, /compute\.nobody-home\.echo/);
    return true;
  });
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 395 && elapsed < 900, `timed out after ${elapsed.toFixed(0)} ms, expected about 400`);
  // The abandoned request is taken back, so a server starting later does not run it.
  await waitFor(async () => (await redis.llen(`${prefix}:compute.nobody-home:wait`)) === 0, 2000, 'the timed-out job to be removed');
});

test('a per-call timeout overrides the default', async () => {
  const client = rpcClient(transport, testTopic('scheduler'));
  const t0 = performance.now();
  await assert.rejects(client.call('echo', adminContext(), { value: 1 }, { timeoutMs: 150 }), MessagingTimeout);
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 145 && elapsed < 600, `timed out after ${elapsed.toFixed(0)} ms, expected about 150`);
});
