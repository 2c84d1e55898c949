import { type RequestContext } from '@zun-ts/common';
import {
  type ComputeRpcApi,
  computeTopic,
  type ContainerCreateRequest,
  RpcClient,
  type RpcTransport,
  SCHEDULER_TOPIC,
  type SchedulerRpcApi,
  type SelectDestinationsRequest,
} from '@zun-ts/rpc';

/** The scheduler as the build task uses it. */
export interface SchedulerApi {
  selectDestinations(ctx: RequestContext, req: SelectDestinationsRequest): Promise<{ hosts: string[] }>;
}

/** Casts to compute hosts, as the build task uses them. */
export interface ComputeCaster {
  containerCreate(ctx: RequestContext, host: string, req: ContainerCreateRequest): Promise<void>;
}

/** {@link SchedulerApi} over RPC (a call: the answer is needed to go on). */
export class RpcSchedulerApi implements SchedulerApi {
  private readonly client: RpcClient<SchedulerRpcApi>;

  constructor(transport: RpcTransport) {
    this.client = new RpcClient<SchedulerRpcApi>(transport, SCHEDULER_TOPIC);
  }

  selectDestinations(ctx: RequestContext, req: SelectDestinationsRequest): Promise<{ hosts: string[] }> {
    return this.client.call('selectDestinations', ctx, req);
  }
}

/** {@link ComputeCaster} over RPC, one client per host topic. */
export class RpcComputeCaster implements ComputeCaster {
  private readonly clients = new Map<string, RpcClient<ComputeRpcApi>>();

  constructor(private readonly transport: RpcTransport) {}

  private client(host: string): RpcClient<ComputeRpcApi> {
    let c = this.clients.get(host);
    if (!c) {
      c = new RpcClient<ComputeRpcApi>(this.transport, computeTopic(host));
      this.clients.set(host, c);
    }
    return c;
  }

  containerCreate(ctx: RequestContext, host: string, req: ContainerCreateRequest): Promise<void> {
    return this.client(host).cast('containerCreate', ctx, req);
  }
}
