// Compute RPC (topic `compute.<host>`, one queue per compute host), version history:
//   1.0  ping
import { type RequestContext } from '@zun-ts/common';

/**
 * What a compute host answers over RPC, on its own topic (see computeTopic).
 *
 * Delivery is at-least-once: a message may be handled twice, so every handler must be idempotent.
 */
export interface ComputeRpcApi {
  /** Call. Liveness check; answers with the compute host's name. */
  ping(ctx: RequestContext, args: Record<string, never>): Promise<{ host: string }>;
}
