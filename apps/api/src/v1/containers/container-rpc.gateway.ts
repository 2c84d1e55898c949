import { COMPUTE, type ComputeClient, CONDUCTOR, type ConductorClient, rpcClient, type RpcTransport } from '@zun-ts/rpc';
import { type ContainerRpc } from './container-rpc';

/** {@link ContainerRpc} over the BullMQ transport: the typed clients of the topics, one per topic, made on first use. */
export class TransportContainerRpc implements ContainerRpc {
  private conductorClient: ConductorClient | null = null;
  private readonly computeClients = new Map<string, ComputeClient>();

  constructor(private readonly transport: RpcTransport) {}

  ready(): Promise<void> {
    return this.transport.assertConnected();
  }

  conductor(): ConductorClient {
    this.conductorClient ??= rpcClient(this.transport, CONDUCTOR);
    return this.conductorClient;
  }

  compute(host: string): ComputeClient {
    let c = this.computeClients.get(host);
    if (!c) {
      c = rpcClient(this.transport, COMPUTE, host);
      this.computeClients.set(host, c);
    }
    return c;
  }
}
