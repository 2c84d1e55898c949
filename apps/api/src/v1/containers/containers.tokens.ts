import { type ComputeRpcApi, type ConductorRpcApi, type RpcClient } from '@zun-ts/rpc';

/** RPC clients by destination. */
export interface ContainerRpc {
  /** The conductor queue (create: scheduling and placement). */
  conductor(): Pick<RpcClient<ConductorRpcApi>, 'call' | 'cast'>;
  /** The queue of one compute host. */
  compute(host: string): Pick<RpcClient<ComputeRpcApi>, 'call' | 'cast'>;
}
