// Compute RPC (topic `compute.<host>`, one queue per compute host), version history:
//   1.0  ping
//   1.1  container lifecycle: create, start, stop, reboot, pause, unpause, kill, delete, rebuild,
//        update, logs, execute, execResize, top, stats, getArchive, putArchive, commit;
//        containerCreate carries the build's retry state (BuildRetry)
//   1.2  containerAttach (mints the container's console token), containerResize (TTY of the attach session);
//        an interactive containerExec answers with the exec session's console token
//   1.3  one descriptor (COMPUTE, a topic family: COMPUTE's topic of a host is `compute.<host>`) declares the
//        calls and casts and validates args at the server's edge; the container travels in the versioned object
//        envelope; messages carry their sender
//   1.4  volumeDelete (the API deletes a volume whose backing store is on this host); a container's mounts are
//        read through the conductor (containerMounts), so containerCreate is unchanged
//   1.5  networkAttach, networkDetach (the API added / marked the port), networkUpdatePeers (a host joined or
//        left a network); a container's ports are read through the conductor (containerNetworks)
//   1.6  imagePull, imageDelete (`/v1/images` on this host); containerCommit takes `glance_image_id` (upload the
//        commit to that queued Glance image); a container's registry is read through the conductor
//        (containerRegistry)
import { type RequestContext } from '@zun-ts/common';
import { type Container, type Image } from '@zun-ts/objects';
import { call, cast, defineTopic, type RpcCaller } from '../contract.types';
import { computeTopic } from '../queue.naming';
import { s } from '../wire-schema';
import { BUILD_RETRY_SCHEMA, type BuildRetry } from './conductor.contract';

/** Every container message names the container; the compute host reads the rest through the conductor. */
export interface ContainerRef {
  container_uuid: string;
}

/** Arguments of ComputeRpcApi.containerCommit. */
export interface ContainerCommitRequest extends ContainerRef {
  repository: string;
  tag: string | null;
  /** A queued Glance image to upload the commit to; absent or null: keep it in this host's engine only. */
  glance_image_id?: string | null;
}

export interface ContainerCreateRequest extends ContainerRef {
  /** The record as the conductor saw it when it cast (host already set). */
  container: Container;
  /** Start right after create (`run`). */
  run: boolean;
  /** Returned untouched in a CreateFailureReport, so the conductor can reschedule. */
  retry: BuildRetry;
}

export interface ContainerLogsRequest extends ContainerRef {
  stdout: boolean;
  stderr: boolean;
  timestamps: boolean;
  /** Number of lines or `all`. */
  tail: string;
  /** Unix time or RFC 3339; null for everything. */
  since: string | null;
}

export interface ContainerExecRequest extends ContainerRef {
  command: string[];
  /** Interactive exec (attach through wsproxy) instead of running to completion. */
  interactive: boolean;
}

export interface ContainerExecResult {
  output: string | null;
  exit_code: number | null;
  exec_id: string | null;
  /** Interactive execs only: the console token that opens the exec session through zun-wsproxy. */
  token: string | null;
}

/** Answer of ComputeRpcApi.containerAttach. */
export interface ContainerAttachResult {
  /** Fresh random console token of the container (replaces the previous one). */
  token: string;
}

/** A terminal size in characters. */
export interface TtySize {
  width: number;
  height: number;
}

export interface ContainerArchiveRequest extends ContainerRef {
  path: string;
}

/**
 * What a compute host answers over RPC, on its own topic (see computeTopic).
 *
 * Delivery is at-least-once: a message may be handled twice, so every handler must be idempotent.
 * The Docker container is named `zun-<uuid>`, which is what makes a redelivered create find the
 * container the first delivery made instead of making a second one.
 */
export interface ComputeRpcApi {
  /** Call. Liveness check; answers with the compute host's name. */
  ping(ctx: RequestContext, args: Record<string, never>, caller: RpcCaller): Promise<{ host: string }>;
  /** Cast. Pull the image, create (and start when `run`); reports back through the conductor. */
  containerCreate(ctx: RequestContext, args: ContainerCreateRequest, caller: RpcCaller): Promise<void>;
  /** Casts. State changes; the outcome is saved through the conductor. */
  containerStart(ctx: RequestContext, args: ContainerRef, caller: RpcCaller): Promise<void>;
  containerStop(ctx: RequestContext, args: ContainerRef & { timeout: number }, caller: RpcCaller): Promise<void>;
  containerReboot(ctx: RequestContext, args: ContainerRef & { timeout: number }, caller: RpcCaller): Promise<void>;
  containerPause(ctx: RequestContext, args: ContainerRef, caller: RpcCaller): Promise<void>;
  containerUnpause(ctx: RequestContext, args: ContainerRef, caller: RpcCaller): Promise<void>;
  containerKill(ctx: RequestContext, args: ContainerRef & { signal: string | null }, caller: RpcCaller): Promise<void>;
  /** Cast. Stop if asked, remove the Docker container, then have the conductor release and destroy. */
  containerDelete(ctx: RequestContext, args: ContainerRef & { force: boolean; stop: boolean }, caller: RpcCaller): Promise<void>;
  containerRebuild(ctx: RequestContext, args: ContainerRef & { image: string | null; run: boolean }, caller: RpcCaller): Promise<void>;
  /** Calls. Synchronous operations whose answer the API returns. */
  containerUpdate(ctx: RequestContext, args: ContainerRef & { cpu: number | null; memory: string | null }, caller: RpcCaller): Promise<Container>;
  containerLogs(ctx: RequestContext, args: ContainerLogsRequest, caller: RpcCaller): Promise<string>;
  containerExec(ctx: RequestContext, args: ContainerExecRequest, caller: RpcCaller): Promise<ContainerExecResult>;
  containerExecResize(ctx: RequestContext, args: ContainerRef & { exec_id: string; width: number; height: number }, caller: RpcCaller): Promise<void>;
  /**
   * Call. Mints a new console token for the container's main process (a new attach replaces the previous token,
   * as in Zun) and records it with the relay address of the session on the container (`websocket_token`,
   * `websocket_url`).
   */
  containerAttach(ctx: RequestContext, args: ContainerRef, caller: RpcCaller): Promise<ContainerAttachResult>;
  /** Call. Resizes the TTY of the container's main process (the attach session); a no-op without a TTY. */
  containerResize(ctx: RequestContext, args: ContainerRef & TtySize, caller: RpcCaller): Promise<void>;
  containerTop(ctx: RequestContext, args: ContainerRef & { ps_args: string | null }, caller: RpcCaller): Promise<{ Titles: string[]; Processes: string[][] }>;
  containerStats(ctx: RequestContext, args: ContainerRef, caller: RpcCaller): Promise<Record<string, unknown>>;
  /** Tar of `path`, base64; with the path's stat as Docker reports it. */
  containerGetArchive(ctx: RequestContext, args: ContainerArchiveRequest, caller: RpcCaller): Promise<{ data: string; stat: Record<string, unknown> }>;
  /** Untar base64 `data` at `path`. */
  containerPutArchive(ctx: RequestContext, args: ContainerArchiveRequest & { data: string }, caller: RpcCaller): Promise<void>;
  /**
   * Commit to `repository[:tag]`; returns the new engine image id. With `glance_image_id` (a queued Glance image the
   * API made), the committed image is then saved and uploaded to it.
   */
  containerCommit(ctx: RequestContext, args: ContainerCommitRequest, caller: RpcCaller): Promise<{ image_id: string }>;
  /**
   * Cast. Pull the image of a `/v1/images` row onto this host, then record image_id and size (imagePulled); a failed
   * pull removes the row (imageDestroy) and logs why. Idempotent.
   */
  imagePull(ctx: RequestContext, args: { image: Image; image_pull_policy: string | null }, caller: RpcCaller): Promise<void>;
  /** Cast. Remove the image from this host's engine (when pulled) and then its row (imageDestroy). Idempotent. */
  imageDelete(ctx: RequestContext, args: { image: Image }, caller: RpcCaller): Promise<void>;
  /**
   * Cast. The API set the volume `deleting` (it had no mappings): unmount and remove its backing store, then have the
   * conductor destroy the row (volumeDestroy). A failure sets the volume `error` with the reason. Idempotent.
   */
  volumeDelete(ctx: RequestContext, args: { volume_uuid: string }, caller: RpcCaller): Promise<void>;
  /**
   * Cast. The API added an allocated port (network-attach) and set task_state `network_attaching`: ensure the
   * network here, plug the port, save `addresses`, clear the task. Idempotent.
   */
  networkAttach(ctx: RequestContext, args: ContainerRef & { port_uuid: string }, caller: RpcCaller): Promise<void>;
  /** Cast. The API marked the port `detaching` (task `network_detaching`): unplug, portRelease, save `addresses`. Idempotent. */
  networkDetach(ctx: RequestContext, args: ContainerRef & { port_uuid: string }, caller: RpcCaller): Promise<void>;
  /** Cast. The hosts of a network changed: set its peers here (nothing when the network is not on this host). */
  networkUpdatePeers(ctx: RequestContext, args: { network_uuid: string; peers: string[] }, caller: RpcCaller): Promise<void>;
}

const ref = { container_uuid: s.string() };
const refOnly = s.object(ref);
const timeout = s.object({ ...ref, timeout: s.integer() });

/** The compute topic family: one queue per host, `rpcClient(transport, COMPUTE, host)`. */
export const COMPUTE = defineTopic<ComputeRpcApi>()({
  name: 'compute',
  topic: (host: string) => computeTopic(host),
  version: '1.6',
  methods: {
    ping: call(s.empty(), s.object({ host: s.string() })),
    containerCreate: cast(
      s.object({ ...ref, container: s.zunObject('Container'), run: s.boolean(), retry: BUILD_RETRY_SCHEMA }),
    ),
    containerStart: cast(refOnly),
    containerStop: cast(timeout),
    containerReboot: cast(timeout),
    containerPause: cast(refOnly),
    containerUnpause: cast(refOnly),
    containerKill: cast(s.object({ ...ref, signal: s.nullable(s.string()) })),
    containerDelete: cast(s.object({ ...ref, force: s.boolean(), stop: s.boolean() })),
    containerRebuild: cast(s.object({ ...ref, image: s.nullable(s.string()), run: s.boolean() })),
    containerUpdate: call(s.object({ ...ref, cpu: s.nullable(s.number()), memory: s.nullable(s.string()) }), s.zunObject('Container')),
    containerLogs: call(
      s.object({ ...ref, stdout: s.boolean(), stderr: s.boolean(), timestamps: s.boolean(), tail: s.string(), since: s.nullable(s.string()) }),
      s.string(),
    ),
    containerExec: call(
      s.object({ ...ref, command: s.array(s.string()), interactive: s.boolean() }),
      s.object({ output: s.nullable(s.string()), exit_code: s.nullable(s.integer()), exec_id: s.nullable(s.string()), token: s.nullable(s.string()) }),
    ),
    containerExecResize: call(s.object({ ...ref, exec_id: s.string(), width: s.integer(), height: s.integer() }), s.void()),
    containerAttach: call(refOnly, s.object({ token: s.string() })),
    containerResize: call(s.object({ ...ref, width: s.integer(), height: s.integer() }), s.void()),
    containerTop: call(
      s.object({ ...ref, ps_args: s.nullable(s.string()) }),
      s.object({ Titles: s.array(s.string()), Processes: s.array(s.array(s.string())) }),
    ),
    containerStats: call(refOnly, s.json<Record<string, unknown>>('a JSON object')),
    containerGetArchive: call(
      s.object({ ...ref, path: s.string() }),
      s.object({ data: s.string(), stat: s.json<Record<string, unknown>>('a JSON object') }),
    ),
    containerPutArchive: call(s.object({ ...ref, path: s.string(), data: s.string() }), s.void()),
    containerCommit: call(
      s.object({ ...ref, repository: s.string(), tag: s.nullable(s.string()), glance_image_id: s.optional(s.nullable(s.string())) }),
      s.object({ image_id: s.string() }),
    ),
    imagePull: cast(s.object({ image: s.zunObject('Image'), image_pull_policy: s.nullable(s.string()) })),
    imageDelete: cast(s.object({ image: s.zunObject('Image') })),
    volumeDelete: cast(s.object({ volume_uuid: s.string() })),
    networkAttach: cast(s.object({ ...ref, port_uuid: s.string() })),
    networkDetach: cast(s.object({ ...ref, port_uuid: s.string() })),
    networkUpdatePeers: cast(s.object({ network_uuid: s.string(), peers: s.array(s.string()) })),
  },
});
