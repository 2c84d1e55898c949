import { field, type JsonObject, type ObjectDef } from './fields';
import {
  CONTAINER_STATUSES,
  CPU_POLICIES,
  TASK_STATES,
  type ContainerStatus,
  type ContainerType,
  type CpuPolicy,
  type RestartPolicyName,
  type TaskState,
} from './statuses';

/** Docker restart policy; the retry count is a string of digits, as Zun stores it. */
export interface RestartPolicy {
  Name: RestartPolicyName;
  MaximumRetryCount: string;
}

/** Stored health check (the request's `cmd` is kept as `test`); interval and timeout in seconds. */
export interface Healthcheck {
  test: string;
  interval?: number;
  retries?: number;
  timeout?: number;
}

/** One address of a container NIC, keyed by network id in {@link ContainerAddresses}. */
export interface ContainerAddress {
  addr: string;
  version: number;
  port?: string;
  subnet_id?: string;
  preserve_on_delete?: boolean;
}

/** `{ "<network id>": [address, …] }` */
export type ContainerAddresses = Record<string, ContainerAddress[]>;

/** An exposed port of a container published on its compute host. */
export interface PublishedPort {
  port: number;
  protocol: 'tcp' | 'udp';
  /** The host address a client uses (the compute host's `[network] publish_ip`, else its `my_ip`-like address). */
  host_ip: string;
  host_port: number;
}

/** A container (or capsule) record. Internal fields are never shown by the API (see the API reference). */
export interface Container {
  id: number;
  uuid: string;
  /** 0 container, 1 capsule, 2 capsule container, 3 capsule init container. */
  container_type: ContainerType;
  name: string | null;
  project_id: string | null;
  user_id: string | null;
  image: string | null;
  /** `docker` or `glance`. */
  image_driver: string | null;
  image_pull_policy: string | null;
  /** Internal integer id of the private registry used for the pull. */
  registry_id: number | null;
  cpu: number | null;
  cpu_policy: CpuPolicy;
  /** Pinned cpus/mems for the dedicated policy. */
  cpuset: JsonObject | null;
  /** MiB as decimal digits, e.g. `"512"`. */
  memory: string | null;
  /** GiB; 0 when not requested. */
  disk: number;
  command: string[] | null;
  entrypoint: string[] | null;
  status: ContainerStatus;
  status_reason: string | null;
  /** Docker's human text, e.g. `"Up 3 mins"`. */
  status_detail: string | null;
  task_state: TaskState | null;
  environment: Record<string, string> | null;
  workdir: string | null;
  ports: number[] | null;
  /** `{"80/tcp": {}}` as requested; not shown by the API. */
  exposed_ports: Record<string, JsonObject> | null;
  /**
   * Where the exposed ports are published on the compute host once the container runs (zun-ts: Zun reaches
   * them through Neutron instead): `[{port: 80, protocol: "tcp", host_ip: "192.0.2.10", host_port: 32768}]`.
   */
  published_ports: PublishedPort[] | null;
  hostname: string | null;
  labels: Record<string, string> | null;
  addresses: ContainerAddresses | null;
  /** Compute host; null until scheduled. */
  host: string | null;
  restart_policy: RestartPolicy | null;
  interactive: boolean;
  tty: boolean;
  auto_remove: boolean;
  auto_heal: boolean;
  privileged: boolean;
  runtime: string | null;
  healthcheck: Healthcheck | null;
  /** Security group ids. */
  security_groups: string[] | null;
  /** Docker container id. */
  container_id: string | null;
  websocket_url: string | null;
  websocket_token: string | null;
  /** Row id of the capsule this container belongs to. */
  capsule_id: number | null;
  started_at: Date | null;
  annotations: Record<string, string> | null;
  cni_metadata: JsonObject | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial; 1.1 published_ports. */
export const ContainerObject: ObjectDef<Container, 'Container'> = {
  name: 'Container',
  VERSION: '1.1',
  fields: {
    id: field.integer(),
    uuid: field.string(),
    container_type: field.integer({ default: 0 }),
    name: field.string({ nullable: true }),
    project_id: field.string({ nullable: true }),
    user_id: field.string({ nullable: true }),
    image: field.string({ nullable: true }),
    image_driver: field.string({ nullable: true }),
    image_pull_policy: field.string({ nullable: true }),
    registry_id: field.integer({ nullable: true }),
    cpu: field.float({ nullable: true }),
    cpu_policy: field.enum(CPU_POLICIES, { default: 'shared' }),
    cpuset: field.dict({ nullable: true }),
    memory: field.string({ nullable: true }),
    disk: field.integer({ default: 0 }),
    command: field.list({ nullable: true }),
    entrypoint: field.list({ nullable: true }),
    status: field.enum(CONTAINER_STATUSES),
    status_reason: field.string({ nullable: true }),
    status_detail: field.string({ nullable: true }),
    task_state: field.enum(TASK_STATES, { nullable: true }),
    environment: field.dict({ nullable: true }),
    workdir: field.string({ nullable: true }),
    ports: field.list({ nullable: true }),
    exposed_ports: field.dict({ nullable: true }),
    published_ports: field.list({ nullable: true }),
    hostname: field.string({ nullable: true }),
    labels: field.dict({ nullable: true }),
    addresses: field.dict({ nullable: true }),
    host: field.string({ nullable: true }),
    restart_policy: field.dict({ nullable: true }),
    interactive: field.boolean({ default: false }),
    tty: field.boolean({ default: false }),
    auto_remove: field.boolean({ default: false }),
    auto_heal: field.boolean({ default: false }),
    privileged: field.boolean({ default: false }),
    runtime: field.string({ nullable: true }),
    healthcheck: field.dict({ nullable: true }),
    security_groups: field.list({ nullable: true }),
    container_id: field.string({ nullable: true }),
    websocket_url: field.string({ nullable: true }),
    websocket_token: field.string({ nullable: true }),
    capsule_id: field.integer({ nullable: true }),
    started_at: field.datetime({ nullable: true }),
    annotations: field.dict({ nullable: true }),
    cni_metadata: field.dict({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};
