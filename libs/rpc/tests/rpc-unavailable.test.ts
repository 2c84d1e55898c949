import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { adminContext, MessagingUnavailable, type RequestContext } from '@zun-ts/common';
import { call, cast, defineTopic, rpcClient, RpcTransport, s } from '../src';

interface Api {
  poke(ctx: RequestContext, args: { n: number }): Promise<void>;
  ask(ctx: RequestContext, args: { n: number }): Promise<{ n: number }>;
}

const topic = defineTopic<Api>()({
  name: 'unavailable-test',
  version: '1.0',
  topic: 'unavailable-test',
  methods: { poke: cast(s.object({ n: s.integer() })), ask: call(s.object({ n: s.integer() }), s.object({ n: s.integer() })) },
});

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('Redis unreachable: sends fail fast with MessagingUnavailable (503)', () => {
  let transport: RpcTransport | null = null;
  after(() => transport?.close());

  test('cast and call throw MessagingUnavailable within connectWaitMs instead of waiting on the retrying connection', async () => {
    transport = RpcTransport.connect({ redisUrl: `redis://127.0.0.1:${await closedPort()}/0`, prefix: 'zt-unavailable', connectWaitMs: 300 });
    const client = rpcClient(transport, topic);
    const ctx = adminContext();
    for (const send of [() => client.cast('poke', ctx, { n: 1 }), () => client.call('ask', ctx, { n: 1 }, { timeoutMs: 5000 })]) {
      const t0 = Date.now();
      await assert.rejects(send(), (err: unknown) => {
        assert.ok(err instanceof MessagingUnavailable, String(err));
        assert.equal(err.status, 503);
        assert.doesNotMatch(err.message, /127\.0\.0\.1|redis:\/\//, 'the Redis URL (which may hold a password) is not shown');
        return true;
      });
      assert.ok(Date.now() - t0 < 2000, `failed after ${Date.now() - t0} ms`);
    }
    await assert.rejects(transport.assertConnected(), MessagingUnavailable);
  });
});
