// The benchmark's server process: serves BenchRpcApi, prints "ready", stops on SIGTERM.
import { hostname } from 'node:os';
import { type RequestContext } from '@zun-ts/common';
import { RpcServer, RpcTransport } from '@zun-ts/rpc';
import { BENCH, type BenchRpcApi } from './bench.contract';

class BenchImpl implements BenchRpcApi {
  private ticks = 0;
  async ping(): Promise<{ host: string }> {
    return { host: hostname() };
  }
  async tick(_ctx: RequestContext, _args: { n: number }): Promise<void> {
    this.ticks++;
  }
  async stats(): Promise<{ ticks: number }> {
    return { ticks: this.ticks };
  }
}

async function main(): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL;
  const prefix = process.env.BENCH_PREFIX;
  if (!redisUrl || !prefix) throw new Error('BENCH_REDIS_URL and BENCH_PREFIX must be set');
  const transport = RpcTransport.connect({ redisUrl, prefix });
  await new RpcServer(transport).serve(BENCH, new BenchImpl(), { concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16) });
  process.once('SIGTERM', () => void transport.close());
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
