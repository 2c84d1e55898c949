import { type RequestContext } from '@zun-ts/common';
import {
  type ComputeNodeRepository, type ContainerActionRepository, type ContainerRepository, type CreatedCapsule, type ImageRepository, type MountPlan, type NetworkRepository, type NewCapsule, type NewContainer, type NewVolume,
  type PortPlan, type QuotaClassRepository,
  type QuotaDeltas, type QuotaRepository, type RegistryRepository, type VolumeRepository, type ZunServiceRepository,
} from '@zun-ts/db';
import { type Container, type JsonObject, type Volume } from '@zun-ts/objects';
import { type ContainerRpc } from './container-rpc';

/** The tables the container, host and quota services read and write (the Database's repositories). */
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
  /** Volumes and the mounts of containers. */
  volumes: VolumeRepository;
  /** Project networks and the ports of containers. */
  networks: NetworkRepository;
  /** Images pulled onto compute hosts (`/v1/images`). */
  images: ImageRepository;
  /** Private registries of projects (sealed passwords). */
  registries: RegistryRepository;
}

/**
 * Quota enforcement: throws OverQuota (403) when the deltas do not fit (InvalidQuotaValue, 400, when they
 * would take usage below 0). The API uses the database-backed QuotaService unless a backend brings its own.
 */
export interface QuotaCheck {
  /** A check alone (before anything is written; not atomic with a later write). */
  check(ctx: RequestContext, deltas: QuotaDeltas): Promise<void>;
  /**
   * Inserts the new container, its mounts and its ports only if its deltas fit, atomically with the usage count
   * (racing creates cannot overshoot). The one way containers are made: without limits it is the same insert.
   */
  createContainer(ctx: RequestContext, container: NewContainer, deltas: QuotaDeltas, mounts: MountPlan, ports: PortPlan, build?: JsonObject): Promise<Container>;
  /** Inserts a volume only if its size fits the project's `disk` limit, atomically like {@link createContainer}. */
  createVolume(ctx: RequestContext, volume: NewVolume): Promise<Volume>;
  /** Inserts a capsule (its rows, volumes, mappings and port) only if its deltas fit, atomically like {@link createContainer}. */
  createCapsule?(ctx: RequestContext, rows: NewCapsule, deltas: QuotaDeltas): Promise<CreatedCapsule>;
}

/** What the container, host and quota services need besides configuration and policy (bound to CONTAINER_BACKEND). */
export interface ContainerBackend {
  stores: ContainerStores;
  rpc: ContainerRpc;
  quota?: QuotaCheck;
}
