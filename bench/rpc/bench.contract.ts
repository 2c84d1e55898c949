import { type RequestContext } from '@zun-ts/common';

/** What the benchmark's server process answers. */
export interface BenchRpcApi {
  ping(ctx: RequestContext, args: Record<string, never>): Promise<{ host: string }>;
  /** Cast target: counts. */
  tick(ctx: RequestContext, args: { n: number }): Promise<void>;
  stats(ctx: RequestContext, args: Record<string, never>): Promise<{ ticks: number }>;
}
