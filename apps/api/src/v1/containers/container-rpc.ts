import { type ComputeClient, type ConductorClient } from '@zun-ts/rpc';

/** RPC clients by destination. */
export interface ContainerRpc {
  /** The conductor queue (create: scheduling and placement). */
  conductor(): ConductorClient;
  /**
   * Resolves while the bus can take messages, else throws MessagingUnavailable (503). Checked before a request
   * writes what its message would act on, so a request refused for the bus leaves nothing behind.
   */
  ready(): Promise<void>;
  /** The queue of one compute host. */
  compute(host: string): ComputeClient;
}
