import { adminContext } from '@zun-ts/common';
import { type ServiceRegistration, type ServiceRegistry, type ZunService } from '@zun-ts/objects';
import { type ConductorClient } from './clients';

/** Registers and heartbeats a service through the conductor: for hosts without database access (compute). */
export class ConductorServiceRegistry implements ServiceRegistry {
  /** @param opts.timeoutMs - per-call timeout; @default RpcOptions.callTimeoutMs */
  constructor(
    private readonly conductor: Pick<ConductorClient, 'call'>,
    private readonly opts: { timeoutMs?: number } = {},
  ) {}

  register(s: ServiceRegistration): Promise<ZunService> {
    const { host, binary, topic, availability_zone } = s;
    return this.conductor.call('serviceRegister', adminContext(), { host, binary, topic, availability_zone }, this.opts);
  }

  heartbeat(host: string, binary: string): Promise<void> {
    return this.conductor.call('serviceHeartbeat', adminContext(), { host, binary }, this.opts);
  }
}
