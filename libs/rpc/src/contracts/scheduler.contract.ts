// Scheduler RPC (topic `scheduler`), version history:
//   1.0  ping
import { type RequestContext } from '@zun-ts/common';

/**
 * What the scheduler answers over RPC.
 *
 * Delivery is at-least-once: a message may be handled twice, so every handler must be idempotent.
 */
export interface SchedulerRpcApi {
  /** Call. Liveness check; answers with the scheduler's host. */
  ping(ctx: RequestContext, args: Record<string, never>): Promise<{ host: string }>;
}
