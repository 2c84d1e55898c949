// Conductor RPC (topic `conductor`), version history:
//   1.0  serviceRegister, serviceHeartbeat, ping
//   1.1  buildContainer, reportCreateFailure, containerGet, containersOnHost, containerSave,
//        containerDestroy, computeNodeUpdate, actionEventStart, actionEventFinish, actionFinish; a failure report
//        carries the build's retry state (BuildRetry) back; ContainerPatch includes runtime and image_driver
//   1.2  consoleTarget (zun-wsproxy checks a console token), execInstanceCreate (an interactive exec's token
//        and relay address)
//   1.3  one descriptor (CONDUCTOR) says which methods are calls and which casts and validates every message's
//        args at the server's edge (InvalidRpcMessage); containers and services travel in the versioned object
//        envelope; messages carry their sender, and the methods a compute host calls act only on records of the
//        sender's host (others answer ContainerNotFound); a container patch with a field outside
//        HOST_WRITABLE_CONTAINER_FIELDS is refused instead of being trimmed
//   1.4  volumes: containerMounts, volumeBind, volumeSave, volumeRelease, volumeDestroy, volumesOnHost (a compute
//        host reads and writes the volumes of its own containers and of its own host only)
//   1.5  networks: containerNetworks, portSave, portRelease, networksOnHost (a compute host reads and writes the
//        ports of its own containers only)
//   1.6  images and registries: imagePulled, imageDestroy (a compute host writes only the image rows of its own
//        host), containerRegistry (the registry of a container on the caller's host, its password still sealed)
import { type RequestContext } from '@zun-ts/common';
import {
  CONTAINER_STATUSES, type Container, type ContainerStatus, type ComputeNodeInventory, HOST_WRITABLE_CONTAINER_FIELDS, type HostContainerPatch,
  INVENTORY_FIELDS, type ServiceRegistration, TASK_STATES, type TaskState, type Volume, type VolumeMapping, VOLUME_STATUSES,
  type VolumeStatus, type ZunService, type Network, type NetworkPort, PORT_STATUSES, type PortStatus, type Image,
} from '@zun-ts/objects';
import { call, cast, defineTopic, type RpcCaller } from '../contract.types';
import { CONDUCTOR_TOPIC } from '../queue.naming';
import { s } from '../wire-schema';

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

/** Arguments of ConductorRpcApi.containerSave. */
export interface ContainerSaveRequest {
  container_uuid: string;
  patch: HostContainerPatch;
  /** Applied only while the record's status/task_state is one of these. */
  expected?: { status?: ContainerStatus[]; task_state?: (TaskState | null)[] };
}

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

/** Arguments of ConductorRpcApi.actionEventStart (and, with the result, actionEventFinish). */
export interface ActionEventRequest {
  container_uuid: string;
  request_id: string;
  /** e.g. `compute__do_container_create`. */
  event: string;
  host: string;
}

/** A mount of a container as its compute host needs it: the mapping and, unless it is an injected file, its volume. */
export interface ContainerMountInfo {
  mapping: VolumeMapping;
  volume: Volume | null;
}

/** A volume whose mapping to a container was released, and how many mappings it still has. */
export interface ReleasedVolumeInfo {
  volume: Volume;
  remaining: number;
}

/** A volume of a compute host and the containers that mount it. */
export interface HostVolumeInfo {
  volume: Volume;
  container_uuids: string[];
}

/** The volume fields a compute host may write (VolumeSaveRequest.patch). */
export interface HostVolumePatch {
  status?: VolumeStatus;
  status_reason?: string | null;
  connection_info?: string | null;
  fstype?: string | null;
  /** Only null: the host gives a volume up (its backing store was removed by a create that failed). */
  host?: null;
}

/** Arguments of ConductorRpcApi.volumeSave. */
export interface VolumeSaveRequest {
  volume_uuid: string;
  patch: HostVolumePatch;
  /** Applied only while the volume's status is one of these. */
  expected?: { status?: VolumeStatus[] };
}

/** A port of a container with its network and the network's peers (underlay addresses of the other hosts on it). */
export interface ContainerPortInfo {
  port: NetworkPort;
  network: Network;
  peers: string[];
}

/** A network with a port on the caller's host, and its peers (state sync after a restart). */
export interface HostNetworkInfo {
  network: Network;
  peers: string[];
}

/** Arguments of ConductorRpcApi.portSave. */
export interface PortSaveRequest {
  port_uuid: string;
  patch: { mac_address?: string | null; status?: PortStatus };
}

/**
 * What the conductor answers over RPC. Compute hosts hold no database credentials, so they
 * register, heartbeat, read and save containers, and report inventory through these methods. Those a
 * compute host calls act only on the records of the calling host (`caller.host`).
 *
 * Delivery is at-least-once: a message may be handled twice, so every handler must be idempotent.
 */
export interface ConductorRpcApi {
  /** Call. Upserts the (host, binary) service row and returns it. */
  serviceRegister(ctx: RequestContext, args: ServiceRegistration, caller: RpcCaller): Promise<ZunService>;
  /** Call. report_count + 1 and last_seen_up = now. Throws ZunServiceNotFound for an unknown service. */
  serviceHeartbeat(ctx: RequestContext, args: ServiceHeartbeatRequest, caller: RpcCaller): Promise<void>;
  /** Call. Liveness check; answers with the conductor's host. */
  ping(ctx: RequestContext, args: Record<string, never>, caller: RpcCaller): Promise<{ host: string }>;
  /**
   * Cast. Schedule, claim (once per container), set the host and cast containerCreate to it;
   * no host fits → status Error, "There are not enough hosts available.".
   */
  buildContainer(ctx: RequestContext, args: BuildContainerRequest, caller: RpcCaller): Promise<void>;
  /** Cast. Release the failed host's claim, then reschedule (up to max_attempts) or mark Error. */
  reportCreateFailure(ctx: RequestContext, args: CreateFailureReport, caller: RpcCaller): Promise<void>;
  /** Call. The record, or ContainerNotFound. */
  containerGet(ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<Container>;
  /** Call. Every container record placed on `host` (periodic sync). */
  containersOnHost(ctx: RequestContext, args: { host: string }, caller: RpcCaller): Promise<Container[]>;
  /**
   * Call. Conditional save: applied only while the record's status/task_state is one of
   * `expected` (when given); returns the saved record, or throws Conflict.
   */
  containerSave(ctx: RequestContext, args: ContainerSaveRequest, caller: RpcCaller): Promise<Container>;
  /** Call. Release the claim and destroy the record (idempotent: an absent record is fine). */
  containerDestroy(ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<void>;
  /** Call. Upsert the host's compute_node inventory, keeping the claim counters. */
  computeNodeUpdate(ctx: RequestContext, args: { hostname: string; inventory: ComputeNodeInventory }, caller: RpcCaller): Promise<void>;
  /** Calls. Container action events (idempotent under redelivery). */
  actionEventStart(ctx: RequestContext, args: ActionEventRequest, caller: RpcCaller): Promise<void>;
  actionEventFinish(ctx: RequestContext, args: ActionEventRequest & { result: 'Success' | 'Error'; traceback: string | null }, caller: RpcCaller): Promise<void>;
  /** Call. Sets the finish time of the request's action (kept from the first call); ContainerActionNotFound when none. */
  actionFinish(ctx: RequestContext, args: { container_uuid: string; request_id: string }, caller: RpcCaller): Promise<void>;
  /**
   * Call (zun-wsproxy, which holds no database credentials). The stored console token and relay address of a
   * container's attach session or of one of its exec sessions; ContainerNotFound for an unknown container.
   */
  consoleTarget(ctx: RequestContext, args: ConsoleTargetRequest, caller: RpcCaller): Promise<ConsoleTarget>;
  /** Call. Records an interactive exec's token and relay address (idempotent: a redelivery refreshes them). */
  execInstanceCreate(ctx: RequestContext, args: ExecInstanceCreateRequest, caller: RpcCaller): Promise<void>;
  /** Call. The container's mounts, in request order (the container must be on the caller's host). */
  containerMounts(ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<ContainerMountInfo[]>;
  /**
   * Call. The caller made (or found) the volume's backing store: binds the volume to the caller's host. The volume
   * must be mounted by a container on the caller's host. Idempotent; a volume already on another host is VolumeInUse.
   */
  volumeBind(ctx: RequestContext, args: { volume_uuid: string }, caller: RpcCaller): Promise<Volume>;
  /** Call. Conditional save of a volume of the caller's host (or not yet on any host, mounted by one of its containers). */
  volumeSave(ctx: RequestContext, args: VolumeSaveRequest, caller: RpcCaller): Promise<Volume>;
  /**
   * Call. Removes the container's mappings (the container must be on the caller's host) and returns their volumes
   * with the mappings each still has: one left with none is `deleting` when auto_remove, else `available`. Idempotent.
   */
  volumeRelease(ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<ReleasedVolumeInfo[]>;
  /** Call. Deletes a `deleting` volume of the caller's host (or on no host) after its backing store went. Idempotent. */
  volumeDestroy(ctx: RequestContext, args: { volume_uuid: string }, caller: RpcCaller): Promise<void>;
  /** Call. Every volume of the caller's host with the containers that mount it (start-up reconciliation). */
  volumesOnHost(ctx: RequestContext, args: Record<string, never>, caller: RpcCaller): Promise<HostVolumeInfo[]>;
  /**
   * Call. The container's ports that hold an address (`allocated`, `bound`, and `detaching` ones, which the host unplugs
   * and never plugs again), by device_index, with networks and peers. Container on the caller's host.
   */
  containerNetworks(ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<ContainerPortInfo[]>;
  /** Call. Records what the host made of a port of one of its containers (MAC, status `bound`). */
  portSave(ctx: RequestContext, args: PortSaveRequest, caller: RpcCaller): Promise<NetworkPort>;
  /**
   * Call. Deletes a port of the caller's container (`port_uuid`), or every port of it (null), after the host
   * unplugged them; hosts left on a network get the new peer list (networkUpdatePeers). Idempotent.
   */
  portRelease(ctx: RequestContext, args: { container_uuid: string; port_uuid: string | null }, caller: RpcCaller): Promise<void>;
  /** Call. Every network with a port on the caller's host, with its peers. */
  networksOnHost(ctx: RequestContext, args: Record<string, never>, caller: RpcCaller): Promise<HostNetworkInfo[]>;
  /**
   * Call. A pull of `/v1/images` finished on the caller's host: records image_id and size (and repo/tag as the engine
   * names them). The image row must be on the caller's host (else ImageNotFound). Idempotent.
   */
  imagePulled(ctx: RequestContext, args: ImagePulledRequest, caller: RpcCaller): Promise<Image>;
  /** Call. Removes an image row of the caller's host (the pull failed, or the image was deleted). Idempotent. */
  imageDestroy(ctx: RequestContext, args: { image_uuid: string }, caller: RpcCaller): Promise<void>;
  /**
   * Call. The registry of a container on the caller's host (its 1.31 `registry`), with the password as stored
   * (sealed: the host opens it with its own auth_encryption_key); null when the container names none.
   */
  containerRegistry(ctx: RequestContext, args: { container_uuid: string }, caller: RpcCaller): Promise<SealedRegistryCredentials | null>;
}

/** Arguments of ConductorRpcApi.imagePulled. */
export interface ImagePulledRequest {
  image_uuid: string;
  image_id: string;
  /** Bytes, as a decimal string (Zun's `size` is a string). */
  size: string;
  repo?: string;
  tag?: string | null;
}

/** Pull credentials of a registry as they travel: the password stays sealed (SecretBox of @zun-ts/common). */
export interface SealedRegistryCredentials {
  domain: string;
  username: string | null;
  sealed_password: string | null;
}

const buildRequest = s.object({
  container_uuid: s.string(),
  run: s.boolean(),
  hints: s.record(s.string()),
  availability_zone: s.nullable(s.string()),
  requested_host: s.nullable(s.string()),
});
/** How a {@link BuildRetry} travels (the compute topic's containerCreate carries it too). */
export const BUILD_RETRY_SCHEMA = s.object({ request: buildRequest, attempt: s.integer(), hosts: s.array(s.string()) });
const containerRef = s.object({ container_uuid: s.string() });
const volumeRef = s.object({ volume_uuid: s.string() });
const actionEvent = { container_uuid: s.string(), request_id: s.string(), event: s.string(), host: s.string() };

/** The conductor topic: which methods are calls and which casts, and the schema of every message. */
export const CONDUCTOR = defineTopic<ConductorRpcApi>()({
  name: 'conductor',
  topic: CONDUCTOR_TOPIC,
  version: '1.6',
  methods: {
    serviceRegister: call(
      s.object({ host: s.string(), binary: s.string(), topic: s.string(), availability_zone: s.nullable(s.string()) }),
      s.zunObject('ZunService'),
    ),
    serviceHeartbeat: call(s.object({ host: s.string(), binary: s.string() }), s.void()),
    ping: call(s.empty(), s.object({ host: s.string() })),
    buildContainer: cast(buildRequest),
    reportCreateFailure: cast(
      s.object({ container_uuid: s.string(), host: s.string(), reason: s.string(), retryable: s.boolean(), retry: BUILD_RETRY_SCHEMA }),
    ),
    containerGet: call(containerRef, s.zunObject('Container')),
    containersOnHost: call(s.object({ host: s.string() }), s.array(s.zunObject('Container'))),
    containerSave: call(
      s.object({
        container_uuid: s.string(),
        patch: s.partialOf('Container', HOST_WRITABLE_CONTAINER_FIELDS),
        expected: s.optional(
          s.object({
            status: s.optional(s.array(s.literal(...CONTAINER_STATUSES))),
            task_state: s.optional(s.array(s.nullable(s.literal(...TASK_STATES)))),
          }),
        ),
      }),
      s.zunObject('Container'),
    ),
    containerDestroy: call(containerRef, s.void()),
    computeNodeUpdate: call(s.object({ hostname: s.string(), inventory: s.partialOf('ComputeNode', INVENTORY_FIELDS) }), s.void()),
    actionEventStart: call(s.object(actionEvent), s.void()),
    actionEventFinish: call(
      s.object({ ...actionEvent, result: s.literal('Success', 'Error'), traceback: s.nullable(s.string()) }),
      s.void(),
    ),
    actionFinish: call(s.object({ container_uuid: s.string(), request_id: s.string() }), s.void()),
    consoleTarget: call(
      s.object({ container: s.string(), exec_id: s.nullable(s.string()) }),
      s.object({ container_uuid: s.string(), url: s.nullable(s.string()), token: s.nullable(s.string()) }),
    ),
    execInstanceCreate: call(s.object({ container_uuid: s.string(), exec_id: s.string(), token: s.string(), url: s.string() }), s.void()),
    containerMounts: call(containerRef, s.array(s.object({ mapping: s.zunObject('VolumeMapping'), volume: s.nullable(s.zunObject('Volume')) }))),
    volumeBind: call(volumeRef, s.zunObject('Volume')),
    volumeSave: call(
      s.object({
        volume_uuid: s.string(),
        patch: s.object({
          status: s.optional(s.literal(...VOLUME_STATUSES)),
          status_reason: s.optional(s.nullable(s.string())),
          connection_info: s.optional(s.nullable(s.string())),
          fstype: s.optional(s.nullable(s.string())),
          host: s.optional(s.null()),
        }),
        expected: s.optional(s.object({ status: s.optional(s.array(s.literal(...VOLUME_STATUSES))) })),
      }),
      s.zunObject('Volume'),
    ),
    volumeRelease: call(containerRef, s.array(s.object({ volume: s.zunObject('Volume'), remaining: s.integer() }))),
    volumeDestroy: call(volumeRef, s.void()),
    volumesOnHost: call(s.empty(), s.array(s.object({ volume: s.zunObject('Volume'), container_uuids: s.array(s.string()) }))),
    containerNetworks: call(
      containerRef,
      s.array(s.object({ port: s.zunObject('NetworkPort'), network: s.zunObject('Network'), peers: s.array(s.string()) })),
    ),
    portSave: call(
      s.object({
        port_uuid: s.string(),
        patch: s.object({ mac_address: s.optional(s.nullable(s.string())), status: s.optional(s.literal(...PORT_STATUSES)) }),
      }),
      s.zunObject('NetworkPort'),
    ),
    portRelease: call(s.object({ container_uuid: s.string(), port_uuid: s.nullable(s.string()) }), s.void()),
    networksOnHost: call(s.empty(), s.array(s.object({ network: s.zunObject('Network'), peers: s.array(s.string()) }))),
    imagePulled: call(
      s.object({ image_uuid: s.string(), image_id: s.string(), size: s.string(), repo: s.optional(s.string()), tag: s.optional(s.nullable(s.string())) }),
      s.zunObject('Image'),
    ),
    imageDestroy: call(s.object({ image_uuid: s.string() }), s.void()),
    containerRegistry: call(
      containerRef,
      s.nullable(s.object({ domain: s.string(), username: s.nullable(s.string()), sealed_password: s.nullable(s.string()) })),
    ),
  },
});
