// RPC benchmark: call round trip and cast throughput between two processes over Redis.
// Run: ZUN_BENCH_REDIS_URL=redis://127.0.0.1:6379/0 node --import tsx bench/rpc/rpc.bench.ts
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { adminContext } from '@zun-ts/common';
import { rpcClient, RpcTransport } from '@zun-ts/rpc';
import { Redis } from 'ioredis';
import { benchResults, percentile } from '../stats';
import { BENCH } from './bench.contract';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const CASTS = Number(process.env.BENCH_CASTS ?? 10_000);
const PARALLEL = 32;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

async function startServer(redisUrl: string, prefix: string): Promise<{ stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'bench-server.ts')], {
    cwd: resolve(__dirname, '../..'),
    env: { ...process.env, BENCH_REDIS_URL: redisUrl, BENCH_PREFIX: prefix, BENCH_CONCURRENCY: String(CONCURRENCY) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((res, rej) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && res());
    void exited.then(() => rej(new Error('bench server exited early')));
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main(): Promise<void> {
  const redisUrl = process.env.ZUN_BENCH_REDIS_URL ?? process.env.ZUN_TEST_REDIS_URL;
  if (!redisUrl) throw new Error('set ZUN_BENCH_REDIS_URL (or ZUN_TEST_REDIS_URL) to a Redis the benchmark may write to');
  const prefix = `zun-bench-${randomUUID().slice(0, 8)}`;
  const server = await startServer(redisUrl, prefix);
  const transport = RpcTransport.connect({ redisUrl, prefix });
  const client = rpcClient(transport, BENCH);
  const ctx = adminContext();
  try {
    for (let i = 0; i < 200; i++) await client.call('ping', ctx, {});

    const times: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t0 = performance.now();
      await client.call('ping', ctx, {});
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;

    const pStart = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (next++ < CALLS) await client.call('ping', ctx, {});
    }));
    const parallelRate = CALLS / ((performance.now() - pStart) / 1000);

    const cStart = performance.now();
    let sent = 0;
    await Promise.all(Array.from({ length: 100 }, async () => {
      while (sent < CASTS) await client.cast('tick', ctx, { n: sent++ });
    }));
    const enqueued = performance.now() - cStart;
    while ((await client.call('stats', ctx, {})).ticks < CASTS) await new Promise((r) => setTimeout(r, 10));
    const processed = performance.now() - cStart;

    const f = (n: number): string => n.toFixed(2);
    console.log(`rpc bench (redis ${new URL(redisUrl).host}, server concurrency ${CONCURRENCY})`);
    console.log(`  call round trip, ${CALLS} sequential: median ${f(percentile(times, 50))} ms, p99 ${f(percentile(times, 99))} ms, mean ${f(mean)} ms, min ${f(times[0] ?? 0)} ms, max ${f(times.at(-1) ?? 0)} ms`);
    console.log(`  calls, ${PARALLEL} in flight: ${parallelRate.toFixed(0)} calls/s`);
    const results = benchResults('rpc');
    results.add({ figure: `call round trip, ${CALLS} sequential`, ours: percentile(times, 50), oursP90: percentile(times, 90), reference: null, unit: 'ms', ratio: null, target: null, met: null });
    results.add({ figure: `calls, ${PARALLEL} in flight`, ours: parallelRate, reference: null, unit: 'calls/s', ratio: null, target: null, met: null });
    results.add({ figure: `casts, ${CASTS} until processed`, ours: CASTS / (processed / 1000), reference: null, unit: 'casts/s', ratio: null, target: null, met: null });
    console.log(`  casts: ${CASTS} enqueued in ${(enqueued / 1000).toFixed(2)} s, all processed in ${(processed / 1000).toFixed(2)} s: ${(CASTS / (processed / 1000)).toFixed(0)} casts/s`);
  } finally {
    await server.stop();
    await transport.close();
    const redis = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [c, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = c;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
