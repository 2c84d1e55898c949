export { Database, MIGRATIONS_TABLE, type DatabaseOptions } from './database';
export { DatabaseUnavailable } from './connection-loss';
export { parseConnectionUrl, redactConnection, type ConnectionTarget } from './connection-url';
export {
  DbServiceRegistry,
  ZUN_SERVICE_REPOSITORY,
  isUniqueViolation,
  type ZunServicePatch,
  type ZunServiceRepository,
} from './zun-service.repository';
export {
  CONTAINER_FILTER_KEYS,
  CONTAINER_REPOSITORY,
  type ContainerExpectation,
  type ContainerFilterKey,
  type ContainerFilters,
  type ContainerListOptions,
  type ContainerRepository,
  type ContainerScope,
  type ContainerUsage,
  type NewContainer,
} from './container.repository';
export {
  checkQuota,
  DEFAULT_QUOTA_CLASS,
  InvalidQuotaValue,
  OverQuota,
  QUOTAS_OFF,
  type QuotaClassRepository,
  type QuotaDeltas,
  type QuotaLimits,
  type QuotaRepository,
} from './quota.repository';
export { CONTAINER_ACTION_REPOSITORY, type ContainerActionRepository, type ContainerActionWithEvents } from './container-action.repository';
export { EXEC_INSTANCE_REPOSITORY, type ExecInstanceRecord, type ExecInstanceRepository } from './exec-instance.repository';
export { COMPUTE_NODE_REPOSITORY, type ComputeNodeRepository, SCHEDULABLE_FIELDS, type SchedulableNode } from './compute-node.repository';
// Their home is libs/objects; re-exported for callers that import them with the repositories.
export { INVENTORY_FIELDS, type ComputeNodeInventory, type ContainerPatch } from '@zun-ts/objects';
export { type ClaimLimits, type ClaimOutcome, type ClaimResources } from './claims';
export { type ContainerClaim, type ContainerRow } from './entities';
export { type PageOptions, type SortDir } from './pagination';
export {
  ContainerActionNotFound,
  ContainerAlreadyExists,
  ContainerStateConflict,
  MarkerNotFound,
  type ContainerCurrentState,
} from './db-errors';
export { assertSchemaCurrent, SchemaNotCurrent } from './schema-check';
export { openDatabase } from './open-database';
export {
  type ContainerMount,
  type HostVolume,
  type MountPlan,
  type NewVolume,
  type PlannedMount,
  type ReleasedVolume,
  type VolumeAttachment,
  type VolumeExpectation,
  type VolumeListOptions,
  type VolumePatch,
  type VolumeRepository,
  type VolumeScope,
  VOLUME_REPOSITORY,
} from './volume.types';
export {
  type DefaultNetworkPool,
  NETWORK_REPOSITORY,
  type NetworkRepository,
  type NetworkScope,
  type NewNetwork,
  type PlannedPort,
  type PortPlan,
  type PortWithNetwork,
} from './network.types';
export { imageNotFound } from './image.repository';
export { IMAGE_REPOSITORY, type ImagePatch, type ImageRepository, type NewImage } from './image.types';
export {
  type NewRegistry,
  REGISTRY_REPOSITORY,
  type RegistryFilters,
  type RegistryPatch,
  type RegistryRepository,
  type RegistryScope,
} from './registry.types';
export { RegistryInUse } from './registry.repository';
export { type CapsuleMountRow, type CapsuleVolumeRow, type CreatedCapsule, type NewCapsule } from './capsule-statements';
