import { type RequestContext } from '@zun-ts/common';
import { call, cast, defineTopic, s } from '@zun-ts/rpc';

/** What the benchmark's server process answers. */
export interface BenchRpcApi {
  ping(ctx: RequestContext, args: Record<string, never>): Promise<{ host: string }>;
  /** Cast target: counts. */
  tick(ctx: RequestContext, args: { n: number }): Promise<void>;
  stats(ctx: RequestContext, args: Record<string, never>): Promise<{ ticks: number }>;
}

/** The benchmark's topic (it borrows the conductor's queue name). */
export const BENCH = defineTopic<BenchRpcApi>()({
  name: 'bench',
  version: '1.0',
  topic: 'conductor',
  methods: {
    ping: call(s.empty(), s.object({ host: s.string() })),
    tick: cast(s.object({ n: s.integer() })),
    stats: call(s.empty(), s.object({ ticks: s.integer() })),
  },
});
