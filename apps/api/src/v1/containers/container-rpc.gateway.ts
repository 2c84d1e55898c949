import { type ComputeRpcApi, type ConductorRpcApi, computeTopic, CONDUCTOR_TOPIC, RpcClient, type RpcTransport } from '@zun-ts/rpc';
import { type ContainerRpc } from './containers.tokens';

/** {@link ContainerRpc} over the BullMQ transport; one client per topic, made on first use. */
export class TransportContainerRpc implements ContainerRpc {
  private conductorClient: RpcClient<ConductorRpcApi> | null = null;
  private readonly computeClients = new Map<string, RpcClient<ComputeRpcApi>>();

  constructor(private readonly transport: RpcTransport) {}

  conductor(): RpcClient<ConductorRpcApi> {
    this.conductorClient ??= new RpcClient<ConductorRpcApi>(this.transport, CONDUCTOR_TOPIC);
    return this.conductorClient;
  }

  compute(host: string): RpcClient<ComputeRpcApi> {
    let c = this.computeClients.get(host);
    if (!c) {
      c = new RpcClient<ComputeRpcApi>(this.transport, computeTopic(host));
      this.computeClients.set(host, c);
    }
    return c;
  }
}
