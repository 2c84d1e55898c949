import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { adminContext, InvalidValue, type Logger, MessagingTimeout, RemoteError, type RequestContext, ServiceUnavailable } from '@zun-ts/common';
import { call, cast, defineTopic, InvalidRpcMessage, rpcClient, RpcServer, RpcTransport, RpcTransportClosed, type RpcOptions, s } from '../src';
import { Redis } from 'ioredis';
import { requireEnv, uniquePrefix, waitFor } from './fixtures/test-env';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL');
const redis = new Redis(redisUrl);
const prefixes: string[] = [];
const transports: RpcTransport[] = [];

function connect(opts: Partial<RpcOptions> = {}): RpcTransport {
  const prefix = opts.prefix ?? uniquePrefix();
  prefixes.push(prefix);
  const t = RpcTransport.connect({ redisUrl, prefix, lockDurationMs: 1000, stalledIntervalMs: 500, castBackoffMs: 50, ...opts });
  transports.push(t);
  return t;
}

interface CastApi {
  flaky(ctx: RequestContext, args: { failures: number; retryable: boolean }): Promise<void>;
}

interface SlowApi {
  slow(ctx: RequestContext, args: { ms: number }): Promise<{ runs: number }>;
}

const castTopic = (topic: string) =>
  defineTopic<CastApi>()({ name: 'cast-test', version: '1.0', topic, methods: { flaky: cast(s.object({ failures: s.integer(), retryable: s.boolean() })) } });
const slowTopic = (topic: string) =>
  defineTopic<SlowApi>()({ name: 'slow-test', version: '1.0', topic, methods: { slow: call(s.object({ ms: s.number() }), s.object({ runs: s.integer() })) } });
/** The same method as a sender that casts it sees it (the server runs it without replying). */
interface SlowCastApi {
  slow(ctx: RequestContext, args: { ms: number }): Promise<void>;
}
const slowCastTopic = (topic: string) =>
  defineTopic<SlowCastApi>()({ name: 'slow-test', version: '1.0', topic, methods: { slow: cast(s.object({ ms: s.number() })) } });

class SlowImpl implements SlowApi {
  runs = 0;
  finished = 0;
  async slow(_ctx: RequestContext, args: { ms: number }): Promise<{ runs: number }> {
    const runs = ++this.runs;
    await new Promise((r) => setTimeout(r, args.ms));
    this.finished++;
    return { runs };
  }
}

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

after(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}:*`);
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
});

describe('casts', () => {
  test('a cast whose handler throws a retryable error is retried until it succeeds', async () => {
    const t = connect();
    let runs = 0;
    await new RpcServer(t).serve(castTopic('conductor'), {
      async flaky(_ctx, args) {
        runs++;
        if (runs <= args.failures) throw new ServiceUnavailable('try later');
      },
    });
    await rpcClient(t, castTopic('conductor')).cast('flaky', adminContext(), { failures: 2, retryable: true });
    await waitFor(async () => runs === 3, 5000, 'three runs');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(runs, 3);
    assert.equal(await redis.zcard(`${t.options.prefix}:conductor:failed`), 0);
  });

  test('a cast whose handler meets a 503 another service answered (a RemoteError: its class unknown here) is retried, not dropped', async () => {
    // what broke: a conductor handler whose call to a service met that service's database outage failed the cast once
    const t = connect();
    let runs = 0;
    await new RpcServer(t).serve(castTopic('conductor'), {
      async flaky(_ctx, args) {
        runs++;
        if (runs <= args.failures) throw new RemoteError('DatabaseUnavailable', 'The database is unavailable (ECONNREFUSED); retry later.', 503);
      },
    });
    await rpcClient(t, castTopic('conductor')).cast('flaky', adminContext(), { failures: 2, retryable: true });
    await waitFor(async () => runs === 3, 5000, 'three runs');
    assert.equal(await redis.zcard(`${t.options.prefix}:conductor:failed`), 0);
  });

  test('a cast whose handler throws a non-retryable error fails once and is kept in the failed set', async () => {
    const t = connect();
    let runs = 0;
    await new RpcServer(t).serve(castTopic('conductor'), {
      async flaky() {
        runs++;
        throw new InvalidValue('bad');
      },
    });
    await rpcClient(t, castTopic('conductor')).cast('flaky', adminContext(), { failures: 1, retryable: false });
    await waitFor(async () => (await redis.zcard(`${t.options.prefix}:conductor:failed`)) === 1, 5000, 'the failed job');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(runs, 1);
  });

  test('a retryable failure stops after castAttempts', async () => {
    const t = connect({ castAttempts: 2 });
    let runs = 0;
    await new RpcServer(t).serve(castTopic('conductor'), {
      async flaky() {
        runs++;
        throw new ServiceUnavailable('down');
      },
    });
    await rpcClient(t, castTopic('conductor')).cast('flaky', adminContext(), { failures: 9, retryable: true });
    await waitFor(async () => (await redis.zcard(`${t.options.prefix}:conductor:failed`)) === 1, 5000, 'the failed job');
    assert.equal(runs, 2);
  });
});

describe('calls', () => {
  test('a reply arriving after the timeout is dropped and does not disturb later calls', async () => {
    const t = connect();
    const impl = new SlowImpl();
    await new RpcServer(t).serve(slowTopic('scheduler'), impl);
    const client = rpcClient(t, slowTopic('scheduler'));
    await assert.rejects(client.call('slow', adminContext(), { ms: 400 }, { timeoutMs: 100 }), MessagingTimeout);
    await waitFor(async () => impl.finished === 1, 3000, 'the slow handler to finish');
    assert.deepEqual(await client.call('slow', adminContext(), { ms: 1 }), { runs: 2 });
    assert.equal(impl.runs, 2, 'the running job was not removed nor run twice');
    assert.equal(await redis.exists(`${t.options.prefix}:rpc-reply:${t.clientId}`), 0, 'the late reply was consumed');
  });
});

describe('shutdown', () => {
  test('close() waits for a running job, which completes and answers', async () => {
    const server = connect();
    const impl = new SlowImpl();
    const rpcServer = new RpcServer(server);
    await rpcServer.serve(slowTopic('scheduler'), impl);
    const client = connect({ prefix: server.options.prefix });
    const reply = rpcClient(client, slowTopic('scheduler')).call('slow', adminContext(), { ms: 400 });
    await waitFor(async () => impl.runs === 1, 3000, 'the job to start');
    await rpcServer.close();
    assert.equal(impl.finished, 1, 'close() returned only after the job finished');
    assert.deepEqual(await reply, { runs: 1 });
  });

  test('close() stops taking new jobs', async () => {
    const server = connect();
    const impl = new SlowImpl();
    const rpcServer = new RpcServer(server);
    await rpcServer.serve(slowTopic('scheduler'), impl);
    await rpcServer.close();
    const client = connect({ prefix: server.options.prefix });
    await rpcClient(client, slowCastTopic('scheduler')).cast('slow', adminContext(), { ms: 1 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(impl.runs, 0);
    assert.equal(await redis.llen(`${server.options.prefix}:scheduler:wait`), 1);
  });

  test('past shutdownTimeoutMs close() returns and the abandoned job is redelivered elsewhere', async () => {
    const first = connect({ shutdownTimeoutMs: 300 });
    const prefix = first.options.prefix;
    const impl1 = new SlowImpl();
    const server1 = new RpcServer(first);
    await server1.serve(slowTopic('scheduler'), impl1);
    const client = connect({ prefix });
    const reply = rpcClient(client, slowTopic('scheduler')).call('slow', adminContext(), { ms: 3000 }, { timeoutMs: 20_000 });
    await waitFor(async () => impl1.runs === 1, 3000, 'the job to start');
    const t0 = performance.now();
    await server1.close();
    const took = performance.now() - t0;
    assert.ok(took >= 290 && took < 2500, `close() took ${took.toFixed(0)} ms`);

    const impl2 = new SlowImpl();
    await new RpcServer(connect({ prefix })).serve(slowTopic('scheduler'), impl2);
    const res = await reply;
    assert.equal(impl2.runs, 1, 'the second server ran the job');
    assert.deepEqual(res, { runs: 1 });
  });

  test('closing the transport fails the calls still waiting', async () => {
    const t = connect();
    const rejected = assert.rejects(rpcClient(t, slowTopic('nobody')).call('slow', adminContext(), { ms: 1 }), RpcTransportClosed);
    await new Promise((r) => setTimeout(r, 50));
    await t.close();
    await rejected;
    await assert.rejects(rpcClient(t, slowCastTopic('nobody')).cast('slow', adminContext(), { ms: 1 }), RpcTransportClosed);
  });
});

describe('logging', () => {
  test('the serving line names the contract version contractVersion: a "version" field would hide the release the service logs on every line', async () => {
    const lines: Array<{ msg: string; meta: Record<string, unknown> }> = [];
    const recorder = (bound: Record<string, unknown>): Logger => ({
      debug: (msg, meta) => void lines.push({ msg, meta: { ...bound, ...meta } }),
      info: (msg, meta) => void lines.push({ msg, meta: { ...bound, ...meta } }),
      warn: (msg, meta) => void lines.push({ msg, meta: { ...bound, ...meta } }),
      error: (msg, meta) => void lines.push({ msg, meta: { ...bound, ...meta } }),
      child: (meta) => recorder({ ...bound, ...meta }),
    });
    const t = connect({ logger: recorder({}) });
    await new RpcServer(t).serve(castTopic('conductor'), { async flaky() {} });
    const serving = lines.find((l) => l.msg === 'rpc server serving');
    assert.ok(serving, JSON.stringify(lines));
    assert.equal(serving.meta['contractVersion'], '1.0');
    assert.equal('version' in serving.meta, false);
  });
});

describe('validation at the server edge', () => {
  test('a call or cast whose args do not match the schema is refused before its handler runs', async () => {
    const t = connect();
    const impl = new SlowImpl();
    await new RpcServer(t).serve(slowTopic('scheduler'), impl);
    // A sender whose descriptor disagrees with the server's (a skewed or forged message); the same
    // contract major version, so the message passes the version check and meets the schema.
    interface Skewed {
      slow(ctx: RequestContext, args: { ms: string }): Promise<{ runs: number }>;
    }
    const skewed = defineTopic<Skewed>()({ name: 'slow-test', version: '1.0', topic: 'scheduler',
      methods: { slow: call(s.object({ ms: s.string() }), s.object({ runs: s.integer() })) } });
    await assert.rejects(rpcClient(t, skewed).call('slow', adminContext(), { ms: 'soon' }), (err: unknown) => {
      assert.ok(err instanceof InvalidRpcMessage);
      assert.equal(err.status, 400);
      assert.match(err.message, /args\.ms: expected a finite number/);
      return true;
    });
    interface SkewedCast {
      slow(ctx: RequestContext, args: { ms: number; extra: boolean }): Promise<void>;
    }
    const skewedCast = defineTopic<SkewedCast>()({ name: 'slow-test', version: '1.0', topic: 'scheduler',
      methods: { slow: cast(s.object({ ms: s.number(), extra: s.boolean() })) } });
    await rpcClient(t, skewedCast).cast('slow', adminContext(), { ms: 1, extra: true });
    await waitFor(async () => (await redis.zcard(`${t.options.prefix}:scheduler:failed`)) === 1, 3000, 'the malformed cast to be dropped');
    assert.equal(impl.runs, 0, 'no handler ran');
    assert.deepEqual(await rpcClient(t, slowTopic('scheduler')).call('slow', adminContext(), { ms: 1 }), { runs: 1 });
  });
});
