import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { adminContext, ContainerNotFound, newRequestId, RemoteError, type RequestContext } from '@zun-ts/common';
import { NoSuchMethod, type RpcClient, rpcClient, RpcTransport } from '../src';
import { Redis } from 'ioredis';
import { testKeys, testTopic, testTopicV2 } from './fixtures/test.contract';
import { requireEnv, spawnWorker, uniquePrefix, waitFor, type WorkerProcess } from './fixtures/test-env';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL');

describe('call and cast between two processes', () => {
  const prefix = uniquePrefix();
  const topic = 'conductor';
  let worker: WorkerProcess;
  let transport: RpcTransport;
  let client: RpcClient<ReturnType<typeof testTopic>>;
  let redis: Redis;

  before(async () => {
    redis = new Redis(redisUrl);
    worker = await spawnWorker({ ZUN_TEST_REDIS_URL: redisUrl, RPC_PREFIX: prefix, RPC_TOPIC: topic });
    transport = RpcTransport.connect({ redisUrl, prefix, callTimeoutMs: 10_000 });
    client = rpcClient(transport, testTopic(topic));
  });

  after(async () => {
    if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await transport?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  test('a call is answered by the other process, with dates intact', async () => {
    const when = new Date('2024-05-01T10:20:30.456Z');
    const res = await client.call('echo', adminContext(), { value: { n: 42, when, list: ['a', null] } });
    assert.equal(res.pid, worker.pid);
    assert.notEqual(res.pid, process.pid);
    assert.deepEqual(res.value, { n: 42, when, list: ['a', null] });
    assert.ok((res.value as { when: unknown }).when instanceof Date);
  });

  test('the request context travels with the message, without the token', async () => {
    const ctx: RequestContext = {
      requestId: newRequestId(),
      userId: 'u1',
      projectId: 'p1',
      roles: ['member', 'reader'],
      isAdmin: false,
      authToken: 'secret-token',
    };
    const res = await client.call('echo', ctx, { value: 1 });
    assert.equal(res.ctx.requestId, ctx.requestId);
    assert.equal(res.ctx.projectId, 'p1');
    assert.deepEqual(res.ctx.roles, ['member', 'reader']);
    assert.equal(res.ctx.authToken, undefined);
  });

  test('a cast is handled by the other process, with its context', async () => {
    const key = randomUUID();
    const ctx = adminContext();
    await client.cast('record', ctx, { key, value: 'v1' });
    const raw = await waitFor(() => redis.get(testKeys.record(prefix, key)), 5000, 'the cast to be handled');
    assert.deepEqual(JSON.parse(raw), { requestId: ctx.requestId, pid: worker.pid, value: 'v1' });
  });

  test('a remote ZunError arrives as the same class', async () => {
    await assert.rejects(client.call('fail', adminContext(), { name: 'ContainerNotFound', message: 'Container abc could not be found.' }), (err: unknown) => {
      assert.ok(err instanceof ContainerNotFound);
      assert.equal(err.name, 'ContainerNotFound');
      assert.equal(err.message, 'Container abc could not be found.');
      assert.equal(err.status, 404);
      return true;
    });
  });

  test('an error of a class unknown here arrives as RemoteError with its name', async () => {
    await assert.rejects(client.call('fail', adminContext(), { name: 'WeirdError', message: 'odd' }), (err: unknown) => {
      assert.ok(err instanceof RemoteError);
      assert.equal(err.remoteName, 'WeirdError');
      assert.equal(err.message, 'odd');
      assert.equal(err.status, 500);
      return true;
    });
  });

  test('a method the server lacks gives NoSuchMethod', async () => {
    const newer = rpcClient(transport, testTopicV2(topic));
    await assert.rejects(newer.call('newerMethod', adminContext(), {}), (err: unknown) => {
      assert.ok(err instanceof NoSuchMethod);
      assert.match(err.message, /newerMethod/);
      return true;
    });
  });

  test('concurrent calls each get their own reply', async () => {
    const values = Array.from({ length: 50 }, (_, i) => i);
    const res = await Promise.all(values.map((value) => client.call('echo', adminContext(), { value })));
    assert.deepEqual(res.map((r) => r.value), values);
  });

  test('completed jobs are removed from Redis', async () => {
    const keys = Array.from({ length: 30 }, () => randomUUID());
    await Promise.all(keys.map((key) => client.cast('record', adminContext(), { key, value: 1 })));
    await Promise.all(keys.map((_, value) => client.call('echo', adminContext(), { value })));
    await waitFor(async () => (await redis.mget(...keys.map((k) => testKeys.record(prefix, k)))).every(Boolean), 5000, 'all casts');
    // The job's own keys go right after the handler; give the worker a moment to finish the last ones.
    await waitFor(async () => (await redis.keys(`${prefix}:${topic}:*-*-*-*-*`)).length === 0, 3000, 'job hashes to be removed').catch(() => undefined);
    assert.equal(await redis.zcard(`${prefix}:${topic}:completed`), 0);
    assert.equal(await redis.zcard(`${prefix}:${topic}:failed`), 0);
    assert.deepEqual(await redis.keys(`${prefix}:${topic}:*-*-*-*-*`), [], 'no job hash left behind');
    assert.equal(await redis.llen(`${prefix}:${topic}:wait`), 0);
  });

  test('the server process exits by itself after SIGTERM (no handle left open)', async () => {
    worker.child.kill('SIGTERM');
    const code = await Promise.race([worker.exited, new Promise((r) => setTimeout(() => r('still running after 10 s'), 10_000).unref())]);
    assert.equal(code, 0);
  });
});
