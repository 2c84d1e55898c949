// Conductor RPC (topic `conductor`), version history:
//   1.0  serviceRegister, serviceHeartbeat, ping
import { type RequestContext } from '@zun-ts/common';
import { type ServiceRegistration, type ZunService } from '@zun-ts/objects';

/** Arguments of ConductorRpcApi.serviceHeartbeat. */
export interface ServiceHeartbeatRequest {
  host: string;
  binary: string;
}

/**
 * What the conductor answers over RPC. Compute hosts hold no database credentials, so they
 * register and heartbeat through these methods.
 *
 * Delivery is at-least-once: a message may be handled twice, so every handler must be idempotent.
 */
export interface ConductorRpcApi {
  /** Call. Upserts the (host, binary) service row and returns it. */
  serviceRegister(ctx: RequestContext, args: ServiceRegistration): Promise<ZunService>;
  /** Call. report_count + 1 and last_seen_up = now. Throws ZunServiceNotFound for an unknown service. */
  serviceHeartbeat(ctx: RequestContext, args: ServiceHeartbeatRequest): Promise<void>;
  /** Call. Liveness check; answers with the conductor's host. */
  ping(ctx: RequestContext, args: Record<string, never>): Promise<{ host: string }>;
}
