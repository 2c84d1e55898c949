import { type RequestContext } from '@zun-ts/common';
import {
  type ComputeNodeRepository, type ContainerActionRepository, type ContainerRepository, type NewContainer, type QuotaClassRepository, type QuotaRepository, type ZunServiceRepository,
} from '@zun-ts/db';
import { type Container } from '@zun-ts/objects';
import { type ComputeClient, type ConductorClient } from '@zun-ts/rpc';

/** DI token of the {@link ContainerBackend}. */
export const CONTAINER_BACKEND = Symbol.for('zun.api.ContainerBackend');

/** The tables the container and host routes read and write (the Database's repositories). */
export interface ContainerStores {
  containers: ContainerRepository;
  actions: ContainerActionRepository;
  computeNodes: Pick<ComputeNodeRepository, 'get' | 'getByIdent' | 'list'>;
  /** To tell whether a container's compute host is up before calling it. */
  services: Pick<ZunServiceRepository, 'get'>;
  /** Project quota overrides, usage, and the race-free create under quota. */
  quotas: QuotaRepository;
  /** Quota classes (the `default` class holds the defaults). */
  quotaClasses: QuotaClassRepository;
}

/** RPC clients by destination. */
export interface ContainerRpc {
  /** The conductor queue (create: scheduling and placement). */
  conductor(): ConductorClient;
  /** The queue of one compute host. */
  compute(host: string): ComputeClient;
}

/** Resource deltas a create or an update would add to the project's usage. */
export interface QuotaDeltas {
  containers: number;
  cpu: number;
  memory: number;
  disk: number;
}

/**
 * Quota enforcement: throws OverQuota (403) when the deltas do not fit (InvalidQuotaValue, 400, when they
 * would take usage below 0). The API builds the database-backed one unless a backend brings its own.
 */
export interface QuotaCheck {
  /** A check alone (before anything is written; not atomic with a later write). */
  check(ctx: RequestContext, deltas: QuotaDeltas): Promise<void>;
  /** Inserts the new container only if its deltas fit, atomically with the usage count (racing creates cannot overshoot). */
  createContainer(ctx: RequestContext, container: NewContainer, deltas: QuotaDeltas): Promise<Container>;
}

/** What the container and host routes need besides configuration and policy. */
export interface ContainerBackend {
  stores: ContainerStores;
  rpc: ContainerRpc;
  quota?: QuotaCheck;
}
