import { adminContext } from '@zun-ts/common';
import { type ServiceRegistration, type ServiceRegistry, type ZunService } from '@zun-ts/objects';
import { type ConductorRpcApi } from './contracts/conductor.contract';
import { CONDUCTOR_TOPIC } from './queue.naming';
import { RpcClient } from './rpc.client';
import { type RpcTransport } from './rpc.transport';

/** Registers and heartbeats a service through the conductor: for hosts without database access (compute). */
export class ConductorServiceRegistry implements ServiceRegistry {
  private readonly client: RpcClient<ConductorRpcApi>;

  /** @param opts.timeoutMs - per-call timeout; @default RpcOptions.callTimeoutMs */
  constructor(
    transport: RpcTransport,
    private readonly opts: { timeoutMs?: number } = {},
  ) {
    this.client = new RpcClient<ConductorRpcApi>(transport, CONDUCTOR_TOPIC);
  }

  register(s: ServiceRegistration): Promise<ZunService> {
    const { host, binary, topic, availability_zone } = s;
    return this.client.call('serviceRegister', adminContext(), { host, binary, topic, availability_zone }, this.opts);
  }

  heartbeat(host: string, binary: string): Promise<void> {
    return this.client.call('serviceHeartbeat', adminContext(), { host, binary }, this.opts);
  }
}
