import { type RequestContext } from '@zun-ts/common';
import { type ComputeNodeRepository, type ContainerActionRepository, type ContainerRepository, type ZunServiceRepository } from '@zun-ts/db';
import { type ComputeRpcApi, type ConductorRpcApi, type RpcClient } from '@zun-ts/rpc';

/** DI token of the {@link ContainerBackend}. */
export const CONTAINER_BACKEND = Symbol.for('zun.api.ContainerBackend');

/** The tables the container and host routes read and write (the Database's repositories). */
export interface ContainerStores {
  containers: ContainerRepository;
  actions: ContainerActionRepository;
  computeNodes: Pick<ComputeNodeRepository, 'get' | 'getByIdent' | 'list'>;
  /** To tell whether a container's compute host is up before calling it. */
  services: Pick<ZunServiceRepository, 'get'>;
}

/** RPC clients by destination. */
export interface ContainerRpc {
  /** The conductor queue (create: scheduling and placement). */
  conductor(): Pick<RpcClient<ConductorRpcApi>, 'call' | 'cast'>;
  /** The queue of one compute host. */
  compute(host: string): Pick<RpcClient<ComputeRpcApi>, 'call' | 'cast'>;
}

/** Resource deltas a create or an update would add to the project's usage. */
export interface QuotaDeltas {
  containers: number;
  cpu: number;
  memory: number;
  disk: number;
}

/**
 * Quota enforcement, checked before anything is written: throws OverQuota (403)
 * when the deltas do not fit. Not provided yet: until it is, creates and updates are not limited.
 */
export interface QuotaCheck {
  check(ctx: RequestContext, deltas: QuotaDeltas): Promise<void>;
}

/** What the container and host routes need besides configuration and policy. */
export interface ContainerBackend {
  stores: ContainerStores;
  rpc: ContainerRpc;
  quota?: QuotaCheck;
}
