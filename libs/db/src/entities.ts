import {
  type ComputeNode,
  type Container,
  type ContainerAction,
  type ContainerActionEvent,
  type ExecInstance,
  type Image,
  type JsonObject,
  type Quota,
  type QuotaClass,
  type Registry,
  type Volume,
  type VolumeMapping,
  type ZunService,
} from '@zun-ts/objects';
import { col, entity, stamps } from './entity-helpers';
import { NetworkEntity, NetworkPortEntity } from './network.entities';

// Entities map the tables onto the domain objects of @zun-ts/objects one to one (same property and column
// names), so rows come back as plain objects of those types. The schema itself is owned by the migrations;
// a test checks that these schemas and the migrated database agree. The network tables are in network.entities.ts.

/** zun_service: one row per (host, binary). */
export const ZunServiceEntity = entity<ZunService>(
  'ZunService',
  'zun_service',
  {
    id: col.id(),
    host: col.varchar(false),
    binary: col.varchar(false),
    topic: col.varchar(false),
    disabled: col.bool(),
    disabled_reason: col.varchar(true),
    forced_down: col.bool(),
    report_count: col.int(false, 0),
    last_seen_up: col.datetime(true),
    availability_zone: col.varchar(true),
    ...stamps,
  },
  { indices: [{ name: 'uniq_zun_service0host0binary', columns: ['host', 'binary'], unique: true }] },
);

/**
 * compute_node: one row per hostname. Several writers touch a row at once (the compute host reporting its
 * totals, conductors claiming resources for containers), so updates must be conditional UPDATEs on the
 * columns involved (`SET mem_used = mem_used + ? WHERE id = ? AND mem_used + ? <= mem_total`) and check the
 * affected row count, never read-modify-write of the whole row.
 */
export const ComputeNodeEntity = entity<ComputeNode>(
  'ComputeNode',
  'compute_node',
  {
    id: col.id(),
    uuid: col.varchar(false, 36),
    hostname: col.varchar(false),
    mem_total: col.int(false, 0),
    mem_free: col.int(false, 0),
    mem_available: col.int(false, 0),
    mem_used: col.int(false, 0),
    total_containers: col.int(false, 0),
    running_containers: col.int(false, 0),
    paused_containers: col.int(false, 0),
    stopped_containers: col.int(false, 0),
    cpus: col.int(false, 0),
    cpu_used: col.double(false, 0),
    disk_total: col.int(false, 0),
    disk_used: col.int(false, 0),
    disk_quota_supported: col.bool(),
    enable_cpu_pinning: col.bool(),
    architecture: col.varchar(true, 32),
    os_type: col.varchar(true, 32),
    os: col.varchar(true, 64),
    kernel_version: col.varchar(true, 128),
    labels: col.json(),
    runtimes: col.json(),
    numa_topology: col.json(),
    underlay_ip: col.varchar(true, 64),
    ...stamps,
  },
  {
    indices: [
      { name: 'uniq_compute_node0uuid', columns: ['uuid'], unique: true },
      { name: 'uniq_compute_node0hostname', columns: ['hostname'], unique: true },
    ],
  },
);

/**
 * A stored container row: the domain object and `revision`, which every UPDATE of the row adds one to (ADR 0024).
 * The repositories decode rows without it, so the {@link Container} the services see is unchanged.
 */
export type ContainerRow = Container & { revision: number };

/** container: containers and capsules (see container_type). */
export const ContainerEntity = entity<ContainerRow>(
  'Container',
  'container',
  {
    id: col.id(),
    uuid: col.varchar(false, 36),
    container_type: col.int(false, 0),
    name: col.varchar(true),
    project_id: col.varchar(true),
    user_id: col.varchar(true),
    image: col.varchar(true),
    image_driver: col.varchar(true),
    image_pull_policy: col.text(),
    registry_id: col.int(true),
    cpu: col.double(true),
    cpu_policy: { type: 'varchar', length: 255, nullable: false, default: 'shared' },
    cpuset: col.json(),
    memory: col.varchar(true),
    disk: col.int(false, 0),
    command: col.json(),
    entrypoint: col.json(),
    status: col.varchar(false, 20),
    status_reason: col.text(),
    status_detail: col.varchar(true),
    task_state: col.varchar(true, 32),
    environment: col.json(),
    workdir: col.varchar(true),
    ports: col.json(),
    exposed_ports: col.json(),
    published_ports: col.json(),
    hostname: col.varchar(true),
    labels: col.json(),
    addresses: col.json(),
    host: col.varchar(true),
    restart_policy: col.json(),
    interactive: col.bool(),
    tty: col.bool(),
    auto_remove: col.bool(),
    auto_heal: col.bool(),
    privileged: col.bool(),
    runtime: col.varchar(true),
    healthcheck: col.json(),
    security_groups: col.json(),
    container_id: col.varchar(true),
    websocket_url: col.varchar(true),
    websocket_token: col.varchar(true),
    capsule_id: col.int(true),
    started_at: col.datetime(true),
    annotations: col.json(),
    cni_metadata: col.json(),
    ...stamps,
    revision: col.int(false, 0),
  },
  {
    indices: [
      { name: 'uniq_container0uuid', columns: ['uuid'], unique: true },
      { name: 'container_project_id_idx', columns: ['project_id'] },
      { name: 'container_host_idx', columns: ['host'] },
      { name: 'container_container_type_idx', columns: ['container_type'] },
      { name: 'container_capsule_id_idx', columns: ['capsule_id'] },
      { name: 'container_name_idx', columns: ['name'] },
    ],
    foreignKeys: [
      {
        name: 'fk_container_capsule_id',
        target: 'Container',
        columnNames: ['capsule_id'],
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
      },
    ],
  },
);

/** container_action: one row per user request on a container. */
export const ContainerActionEntity = entity<ContainerAction>(
  'ContainerAction',
  'container_action',
  {
    id: col.id(),
    action: col.varchar(false),
    container_uuid: col.varchar(false, 36),
    request_id: col.varchar(false),
    user_id: col.varchar(true),
    project_id: col.varchar(true),
    start_time: col.datetime(false),
    finish_time: col.datetime(true),
    message: col.varchar(true),
    ...stamps,
  },
  {
    indices: [
      { name: 'container_action_container_uuid_idx', columns: ['container_uuid'] },
      { name: 'container_action_request_id_idx', columns: ['request_id'] },
      // One action per request on a container: a redelivered start finds the row it created.
      { name: 'uniq_container_action0container_uuid0request_id', columns: ['container_uuid', 'request_id'], unique: true },
    ],
    foreignKeys: [
      {
        name: 'fk_container_action_container_uuid',
        target: 'Container',
        columnNames: ['container_uuid'],
        referencedColumnNames: ['uuid'],
        onDelete: 'CASCADE',
      },
    ],
  },
);

/** container_action_event: steps of an action. */
export const ContainerActionEventEntity = entity<ContainerActionEvent>(
  'ContainerActionEvent',
  'container_action_event',
  {
    id: col.id(),
    action_id: col.int(false),
    event: col.varchar(false),
    start_time: col.datetime(false),
    finish_time: col.datetime(true),
    result: col.varchar(true),
    traceback: col.text(),
    details: col.text(),
    ...stamps,
  },
  {
    indices: [
      { name: 'container_action_event_action_id_idx', columns: ['action_id'] },
      { name: 'uniq_container_action_event0action_id0event', columns: ['action_id', 'event'], unique: true },
    ],
    foreignKeys: [
      {
        name: 'fk_container_action_event_action_id',
        target: 'ContainerAction',
        columnNames: ['action_id'],
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
      },
    ],
  },
);

/** quota: per-project overrides, one row per (project_id, resource). */
export const QuotaEntity = entity<Quota>(
  'Quota',
  'quota',
  {
    id: col.id(),
    project_id: col.varchar(false),
    resource: col.varchar(false),
    hard_limit: col.int(true),
    ...stamps,
  },
  { indices: [{ name: 'uniq_quota0project_id0resource', columns: ['project_id', 'resource'], unique: true }] },
);

/** quota_class: per-class limits, one row per (class_name, resource). */
export const QuotaClassEntity = entity<QuotaClass>(
  'QuotaClass',
  'quota_class',
  {
    id: col.id(),
    class_name: col.varchar(false),
    resource: col.varchar(false),
    hard_limit: col.int(true),
    ...stamps,
  },
  { indices: [{ name: 'uniq_quota_class0class_name0resource', columns: ['class_name', 'resource'], unique: true }] },
);

/** exec_instance: interactive exec sessions of a container. */
export const ExecInstanceEntity = entity<ExecInstance>(
  'ExecInstance',
  'exec_instance',
  {
    id: col.id(),
    container_id: col.int(false),
    exec_id: col.varchar(false),
    token: col.varchar(true),
    url: col.varchar(true),
    ...stamps,
  },
  {
    indices: [{ name: 'uniq_exec_instance0container_id0exec_id', columns: ['container_id', 'exec_id'], unique: true }],
    foreignKeys: [
      {
        name: 'fk_exec_instance_container_id',
        target: 'Container',
        columnNames: ['container_id'],
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
      },
    ],
  },
);

/** image: images on compute hosts, unique by (repo, tag, host). */
export const ImageEntity = entity<Image>(
  'Image',
  'image',
  {
    id: col.id(),
    uuid: col.varchar(false, 36),
    project_id: col.varchar(true),
    user_id: col.varchar(true),
    image_id: col.varchar(true),
    repo: col.varchar(false),
    tag: col.varchar(true),
    size: col.varchar(true),
    host: col.varchar(true),
    ...stamps,
  },
  {
    indices: [
      { name: 'uniq_image0uuid', columns: ['uuid'], unique: true },
      { name: 'uniq_image0repo0tag0host', columns: ['repo', 'tag', 'host'], unique: true },
    ],
  },
);

/** registry: private image registries of projects; `password` is sealed (never plain text). */
export const RegistryEntity = entity<Registry>(
  'Registry',
  'registry',
  {
    id: col.id(),
    uuid: col.varchar(false, 36),
    name: col.varchar(true),
    domain: col.varchar(false),
    username: col.varchar(true),
    password: col.text(),
    project_id: col.varchar(true),
    user_id: col.varchar(true),
    ...stamps,
  },
  {
    indices: [
      { name: 'uniq_registry0uuid', columns: ['uuid'], unique: true },
      { name: 'registry_project_id_idx', columns: ['project_id'] },
      { name: 'registry_name_idx', columns: ['name'] },
    ],
  },
);

/** volume_mapping: volumes mounted into containers. */
export const VolumeMappingEntity = entity<VolumeMapping>(
  'VolumeMapping',
  'volume_mapping',
  {
    id: col.id(),
    uuid: col.varchar(false, 36),
    project_id: col.varchar(true),
    user_id: col.varchar(true),
    volume_provider: col.varchar(false, 36),
    volume_id: col.int(true),
    cinder_volume_id: col.varchar(true, 36),
    container_path: col.varchar(true),
    container_uuid: col.varchar(true, 36),
    connection_info: col.text(),
    host: col.varchar(true),
    auto_remove: col.bool(),
    contents: col.text(),
    ...stamps,
  },
  {
    indices: [
      { name: 'uniq_volume_mapping0uuid', columns: ['uuid'], unique: true },
      { name: 'volume_mapping_container_uuid_idx', columns: ['container_uuid'] },
      { name: 'volume_mapping_volume_id_idx', columns: ['volume_id'] },
    ],
    foreignKeys: [
      {
        name: 'fk_volume_mapping_container_uuid',
        target: 'Container',
        columnNames: ['container_uuid'],
        referencedColumnNames: ['uuid'],
        onDelete: 'CASCADE',
      },
      {
        // A mapping never outlives its volume: the repository deletes mappings before their volume.
        name: 'fk_volume_mapping_volume_id',
        target: 'Volume',
        columnNames: ['volume_id'],
        referencedColumnNames: ['id'],
        onDelete: 'RESTRICT',
      },
    ],
  },
);

/**
 * volume: filesystems containers mount. Reserving one for a container is a conditional UPDATE of `status`
 * (see VolumeRepository), never a read-modify-write.
 */
export const VolumeEntity = entity<Volume>(
  'Volume',
  'volume',
  {
    id: col.id(),
    uuid: col.varchar(false, 36),
    name: col.varchar(true),
    project_id: col.varchar(true),
    user_id: col.varchar(true),
    size: col.int(false),
    volume_provider: col.varchar(false, 36),
    status: { type: 'varchar', length: 20, nullable: false, default: 'available' },
    status_reason: col.text(),
    host: col.varchar(true),
    shareable: col.bool(),
    auto_remove: col.bool(),
    fstype: col.varchar(true, 36),
    cinder_volume_id: col.varchar(true, 36),
    connection_info: col.text(),
    ...stamps,
  },
  {
    indices: [
      { name: 'uniq_volume0uuid', columns: ['uuid'], unique: true },
      { name: 'volume_project_id_idx', columns: ['project_id'] },
      { name: 'volume_host_idx', columns: ['host'] },
      { name: 'volume_name_idx', columns: ['name'] },
    ],
  },
);

/**
 * The resources a container holds on a compute node. One row per container (a unique key), so claiming and
 * releasing apply at most once however often a message is redelivered; `released_at` marks a released claim.
 */
export interface ContainerClaim {
  id: number;
  container_uuid: string;
  hostname: string;
  cpu: number;
  /** MiB. */
  memory: number;
  /** GiB. */
  disk: number;
  released_at: Date | null;
  /**
   * What the build that made (or re-armed) the claim needs to carry on elsewhere should the host go away:
   * opaque JSON owned by the conductor; null for a claim made outside a build.
   */
  build: JsonObject | null;
  created_at: Date;
  updated_at: Date | null;
}

/** container_claim: see {@link ContainerClaim}. Deleting the container deletes its claim (release it first). */
export const ContainerClaimEntity = entity<ContainerClaim>(
  'ContainerClaim',
  'container_claim',
  {
    id: col.id(),
    container_uuid: col.varchar(false, 36),
    hostname: col.varchar(false),
    cpu: col.double(false, 0),
    memory: col.int(false, 0),
    disk: col.int(false, 0),
    released_at: col.datetime(true),
    build: col.json(),
    ...stamps,
  },
  {
    indices: [
      { name: 'uniq_container_claim0container_uuid', columns: ['container_uuid'], unique: true },
      { name: 'container_claim_hostname_idx', columns: ['hostname'] },
    ],
    foreignKeys: [
      {
        name: 'fk_container_claim_container_uuid',
        target: 'Container',
        columnNames: ['container_uuid'],
        referencedColumnNames: ['uuid'],
        onDelete: 'CASCADE',
      },
    ],
  },
);

/**
 * A container's build request, written in the same transaction as the container: the conductor's recovery runs a
 * build again from it when its message was lost on the bus. Deleted with the container.
 */
export interface ContainerBuildRequest {
  id: number;
  container_uuid: string;
  /** Opaque JSON owned by the conductor (see libs/rpc stored-build). */
  request: JsonObject | null;
  created_at: Date;
  updated_at: Date | null;
}

/** container_build_request: see {@link ContainerBuildRequest}. */
export const ContainerBuildRequestEntity = entity<ContainerBuildRequest>(
  'ContainerBuildRequest',
  'container_build_request',
  { id: col.id(), container_uuid: col.varchar(false, 36), request: col.json(), ...stamps },
  {
    indices: [{ name: 'uniq_container_build_request0container_uuid', columns: ['container_uuid'], unique: true }],
    foreignKeys: [
      {
        name: 'fk_container_build_request_container_uuid',
        target: 'Container',
        columnNames: ['container_uuid'],
        referencedColumnNames: ['uuid'],
        onDelete: 'CASCADE',
      },
    ],
  },
);

/**
 * A project's quota lock row: creates under quota lock it so their usage checks run one at a time. The row of key
 * `#network` (no project id) serialises network creates on MariaDB (see SqlNetworkRepository).
 */
export interface QuotaLock {
  id: number;
  project_id: string;
  created_at: Date;
  updated_at: Date | null;
}

/** quota_lock: see {@link QuotaLock}. */
export const QuotaLockEntity = entity<QuotaLock>(
  'QuotaLock',
  'quota_lock',
  { id: col.id(), project_id: col.varchar(false), ...stamps },
  { indices: [{ name: 'uniq_quota_lock0project_id', columns: ['project_id'], unique: true }] },
);

/** Every entity, for the DataSource. */
export const ENTITIES = [
  ZunServiceEntity,
  ComputeNodeEntity,
  ContainerEntity,
  ContainerActionEntity,
  ContainerActionEventEntity,
  QuotaEntity,
  QuotaClassEntity,
  ExecInstanceEntity,
  ImageEntity,
  VolumeEntity,
  VolumeMappingEntity,
  ContainerClaimEntity,
  ContainerBuildRequestEntity,
  QuotaLockEntity,
  NetworkEntity,
  NetworkPortEntity,
  RegistryEntity,
];
