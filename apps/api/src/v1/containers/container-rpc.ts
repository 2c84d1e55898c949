import { type ComputeClient, type ConductorClient } from '@zun-ts/rpc';

/** RPC clients by destination. */
export interface ContainerRpc {
  /** The conductor queue (create: scheduling and placement). */
  conductor(): ConductorClient;
  /** The queue of one compute host. */
  compute(host: string): ComputeClient;
}
