// RPC metrics over a real Redis: calls and casts by descriptor name and method on both sides, outcomes, and the
// backlog (depth, oldest message's age) of a served queue, read when scraped.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { adminContext, InvalidValue, type RequestContext } from '@zun-ts/common';
import { metricsRegistry } from '@zun-ts/metrics';
import { Redis } from 'ioredis';
import { call, cast, defineTopic, rpcClient, RpcServer, RpcTransport, s } from '../src';
import { requireEnv, uniquePrefix, waitFor } from './fixtures/test-env';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL');

interface GateApi {
  hold(ctx: RequestContext, args: { n: number }): Promise<void>;
  check(ctx: RequestContext, args: { ok: boolean }): Promise<{ ok: boolean }>;
}
const GATE = defineTopic<GateApi>()({
  name: 'gate',
  version: '1.0',
  topic: (h: string) => `gate.${h}`,
  methods: { hold: cast(s.object({ n: s.integer() })), check: call(s.object({ ok: s.boolean() }), s.object({ ok: s.boolean() })) },
});

/** The value of one sample of the process's registry (0 when absent). */
async function sample(name: string, labels: Record<string, string>): Promise<number> {
  const text = await metricsRegistry.metrics();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

void describe('RPC metrics', () => {
  const prefix = uniquePrefix();
  const host = `host-${prefix.slice(-6)}`;
  const transport = RpcTransport.connect({ redisUrl, prefix, lockDurationMs: 2000, stalledIntervalMs: 1000 });

  after(async () => {
    await transport.close();
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  test('calls and casts are counted by descriptor name (never the host) and method, with their outcome', async () => {
    const release: Array<() => void> = [];
    await new RpcServer(transport).serve(GATE, {
      hold: () => new Promise<void>((r) => release.push(r)),
      check: async (_ctx, args) => {
        if (!args.ok) throw new InvalidValue('not ok');
        return { ok: true };
      },
    }, { host, concurrency: 1 });
    const client = rpcClient(transport, GATE, host);
    const l = { topic: 'gate', method: 'check', kind: 'call' };
    const [sentOk, sentErr, handledOk, handledErr] = await Promise.all([
      sample('zun_rpc_client_requests_total', { ...l, outcome: 'ok' }), sample('zun_rpc_client_requests_total', { ...l, outcome: 'error' }),
      sample('zun_rpc_server_requests_total', { ...l, outcome: 'ok' }), sample('zun_rpc_server_requests_total', { ...l, outcome: 'error' }),
    ]);
    assert.deepEqual(await client.call('check', adminContext(), { ok: true }), { ok: true });
    await assert.rejects(client.call('check', adminContext(), { ok: false }), /not ok/);
    assert.equal(await sample('zun_rpc_client_requests_total', { ...l, outcome: 'ok' }), sentOk + 1);
    assert.equal(await sample('zun_rpc_client_requests_total', { ...l, outcome: 'error' }), sentErr + 1);
    assert.equal(await sample('zun_rpc_server_requests_total', { ...l, outcome: 'ok' }), handledOk + 1);
    assert.equal(await sample('zun_rpc_server_requests_total', { ...l, outcome: 'error' }), handledErr + 1);
    assert.equal(await sample('zun_rpc_client_duration_seconds_count', { ...l, outcome: 'ok' }), sentOk + 1);

    // The backlog: one cast runs (concurrency 1), three wait.
    for (let n = 0; n < 4; n++) await client.cast('hold', adminContext(), { n });
    await waitFor(async () => release.length === 1 || null, 10_000, 'the first cast to run');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await sample('zun_rpc_queue_depth', { topic: 'gate' }), 3);
    const age = await sample('zun_rpc_queue_oldest_age_seconds', { topic: 'gate' });
    assert.ok(age >= 0.25 && age < 30, `oldest waiting message is ${age} s old`);
    assert.doesNotMatch(await metricsRegistry.metrics(), new RegExp(host), 'the host is in no label');
    // Drained: each cast released as it starts; depth and age back to 0.
    for (let done = 0; done < 4; done++) {
      await waitFor(async () => release.length > 0 || null, 10_000, `cast ${done + 1} to run`);
      release.shift()?.();
    }
    await waitFor(async () => (await sample('zun_rpc_queue_depth', { topic: 'gate' })) === 0 || null, 10_000, 'the queue to drain');
    assert.equal(await sample('zun_rpc_queue_oldest_age_seconds', { topic: 'gate' }), 0);
  });

  test('a call nobody answers counts as a timeout', async () => {
    const client = rpcClient(transport, GATE, `${host}-none`);
    const l = { topic: 'gate', method: 'check', kind: 'call', outcome: 'timeout' };
    const before = await sample('zun_rpc_client_requests_total', l);
    await assert.rejects(client.call('check', adminContext(), { ok: true }, { timeoutMs: 300 }), /Timed out/);
    assert.equal(await sample('zun_rpc_client_requests_total', l), before + 1);
  });
});
