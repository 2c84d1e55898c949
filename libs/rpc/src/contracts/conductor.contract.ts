// Conductor RPC (topic `conductor`), version history:
//   1.0  serviceRegister, serviceHeartbeat, ping
//   1.1  buildContainer, reportCreateFailure, containerGet, containersOnHost, containerSave,
//        containerDestroy, computeNodeUpdate, actionEventStart, actionEventFinish, actionFinish; a failure report
//        carries the build's retry state (BuildRetry) back; ContainerPatch includes runtime and image_driver
//   1.2  consoleTarget (zun-wsproxy checks a console token), execInstanceCreate (an interactive exec's token
//        and relay address)
import { type RequestContext } from '@zun-ts/common';
import { type ComputeNode, type Container, type ContainerStatus, type ServiceRegistration, type TaskState, type ZunService } from '@zun-ts/objects';

/** Arguments of ConductorRpcApi.serviceHeartbeat. */
export interface ServiceHeartbeatRequest {
  host: string;
  binary: string;
}

/** Arguments of ConductorRpcApi.buildContainer (cast by the API after it wrote the record). */
export interface BuildContainerRequest {
  container_uuid: string;
  /** Start after create (`run=true`). */
  run: boolean;
  hints: Record<string, string>;
  availability_zone: string | null;
  /** 1.39 `host` (admin). */
  requested_host: string | null;
}

/**
 * Where a build stands. The conductor hands it to the compute host with the create, and the host hands
 * it back when it fails, so the conductor can reschedule without keeping state between messages.
 */
export interface BuildRetry {
  /** The build as the API asked for it (hints, zone, requested host, run). */
  request: BuildContainerRequest;
  /** 1 for the first host tried. */
  attempt: number;
  /** Hosts tried so far, the current one included (the scheduler ignores them on a retry). */
  hosts: string[];
}

/** A compute host could not create the container it was given. */
export interface CreateFailureReport {
  container_uuid: string;
  host: string;
  reason: string;
  /** True when another host may succeed (e.g. the host lacked resources or its engine failed). */
  retryable: boolean;
  /** As received with the create. */
  retry: BuildRetry;
}

/** Fields a compute host may change on a container record. */
export type ContainerPatch = Partial<Pick<Container,
  'status' | 'status_reason' | 'status_detail' | 'task_state' | 'container_id' | 'hostname' | 'addresses' |
  'ports' | 'started_at' | 'command' | 'entrypoint' | 'workdir' | 'image' | 'cpu' | 'memory' | 'websocket_url' |
  'websocket_token' | 'labels' | 'environment' | 'runtime' | 'image_driver'>>;

/** Inventory the compute resource tracker reports (claims are the conductor's business). */
export type ComputeNodeInventory = Pick<ComputeNode,
  'mem_total' | 'cpus' | 'disk_total' | 'architecture' | 'os' | 'os_type' | 'kernel_version' | 'labels' |
  'runtimes' | 'disk_quota_supported' | 'enable_cpu_pinning'> & Partial<ComputeNode>;

/** Arguments of ConductorRpcApi.consoleTarget: the query of a console URL. */
export interface ConsoleTargetRequest {
  /** Container UUID, or name when it does not look like a UUID. */
  container: string;
  /** Set for an interactive exec session, null for attach. */
  exec_id: string | null;
}

/** Where a console session's bytes come from, and the token that opens it (null: no session to open). */
export interface ConsoleTarget {
  container_uuid: string;
  /** The compute host's console relay address of this session (attach: `websocket_url`; exec: the exec's `url`). */
  url: string | null;
  token: string | null;
}

/** Arguments of ConductorRpcApi.execInstanceCreate. */
export interface ExecInstanceCreateRequest {
  container_uuid: string;
  /** Docker exec id (64 hex). */
  exec_id: string;
  token: string;
  url: string;
}

export interface ActionEventRequest {
  container_uuid: string;
  request_id: string;
  /** e.g. `compute__do_container_create`. */
  event: string;
  host: string;
}

/**
 * What the conductor answers over RPC. Compute hosts hold no database credentials, so they
 * register, heartbeat, read and save containers, and report inventory through these methods.
 *
 * Delivery is at-least-once: a message may be handled twice, so every handler must be idempotent.
 */
export interface ConductorRpcApi {
  /** Call. Upserts the (host, binary) service row and returns it. */
  serviceRegister(ctx: RequestContext, args: ServiceRegistration): Promise<ZunService>;
  /** Call. report_count + 1 and last_seen_up = now. Throws ZunServiceNotFound for an unknown service. */
  serviceHeartbeat(ctx: RequestContext, args: ServiceHeartbeatRequest): Promise<void>;
  /** Call. Liveness check; answers with the conductor's host. */
  ping(ctx: RequestContext, args: Record<string, never>): Promise<{ host: string }>;
  /**
   * Cast. Schedule, claim (once per container), set the host and cast containerCreate to it;
   * no host fits → status Error, "There are not enough hosts available.".
   */
  buildContainer(ctx: RequestContext, args: BuildContainerRequest): Promise<void>;
  /** Cast. Release the failed host's claim, then reschedule (up to max_attempts) or mark Error. */
  reportCreateFailure(ctx: RequestContext, args: CreateFailureReport): Promise<void>;
  /** Call. The record, or ContainerNotFound. */
  containerGet(ctx: RequestContext, args: { container_uuid: string }): Promise<Container>;
  /** Call. Every container record placed on `host` (periodic sync). */
  containersOnHost(ctx: RequestContext, args: { host: string }): Promise<Container[]>;
  /**
   * Call. Conditional save: applied only while the record's status/task_state is one of
   * `expected` (when given); returns the saved record, or throws Conflict.
   */
  containerSave(ctx: RequestContext, args: { container_uuid: string; patch: ContainerPatch;
    expected?: { status?: ContainerStatus[]; task_state?: (TaskState | null)[] } }): Promise<Container>;
  /** Call. Release the claim and destroy the record (idempotent: an absent record is fine). */
  containerDestroy(ctx: RequestContext, args: { container_uuid: string }): Promise<void>;
  /** Call. Upsert the host's compute_node inventory, keeping the claim counters. */
  computeNodeUpdate(ctx: RequestContext, args: { hostname: string; inventory: ComputeNodeInventory }): Promise<void>;
  /** Calls. Container action events (idempotent under redelivery). */
  actionEventStart(ctx: RequestContext, args: ActionEventRequest): Promise<void>;
  actionEventFinish(ctx: RequestContext, args: ActionEventRequest & { result: 'Success' | 'Error'; traceback: string | null }): Promise<void>;
  /** Call. Sets the finish time of the request's action (kept from the first call); ContainerActionNotFound when none. */
  actionFinish(ctx: RequestContext, args: { container_uuid: string; request_id: string }): Promise<void>;
  /**
   * Call (zun-wsproxy, which holds no database credentials). The stored console token and relay address of a
   * container's attach session or of one of its exec sessions; ContainerNotFound for an unknown container.
   */
  consoleTarget(ctx: RequestContext, args: ConsoleTargetRequest): Promise<ConsoleTarget>;
  /** Call. Records an interactive exec's token and relay address (idempotent: a redelivery refreshes them). */
  execInstanceCreate(ctx: RequestContext, args: ExecInstanceCreateRequest): Promise<void>;
}
