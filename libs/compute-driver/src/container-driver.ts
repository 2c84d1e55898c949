import { type Readable } from 'node:stream';
import { type ServiceIdentifier } from 'inversify';
import { type RequestContext } from '@zun-ts/common';
import { type ContainerStatus } from '@zun-ts/objects';

/**
 * What to create. Field names follow Zun's container record; the driver turns them into engine settings
 * (see the Docker driver for the exact mapping).
 */
export interface ContainerCreateSpec {
  /** Zun container uuid: the engine-side name is `zun-<uuid>` and the container is labelled with it. */
  uuid: string;
  /** Zun's display name; only used in log lines (the engine-side name is always `zun-<uuid>`). */
  name?: string | null;
  /** Engine image reference, normally {@link ImagePullResult.ref} from a preceding `pullImage`. */
  image: string;
  /** Empty or null: the image's `Cmd`. */
  command?: string[] | null;
  /** Empty or null: the image's `Entrypoint`. */
  entrypoint?: string[] | null;
  environment?: Record<string, string> | null;
  labels?: Record<string, string> | null;
  workdir?: string | null;
  /** Null: the engine picks one (the container id prefix); read it back from {@link ContainerState.hostname}. */
  hostname?: string | null;
  /** CPU share as Zun defines it: relative weight 1024 × cpu (not a hard cap). */
  cpu?: number | null;
  /** Memory limit in MiB (read from Zun's memory string with `parseMemoryMiB` of @zun-ts/objects). */
  memoryMiB?: number | null;
  /** Root disk size in GiB; only honoured where the storage driver supports quotas ({@link HostInfo.disk_quota_supported}). */
  disk?: number | null;
  /** Docker restart policy; the retry count may be a string of digits, as Zun stores it. */
  restart_policy?: { Name: string; MaximumRetryCount?: number | string | null } | null;
  /** The engine removes the container when its process exits. */
  auto_remove?: boolean;
  /** Keep stdin open (Zun `interactive`, needed by attach). */
  interactive?: boolean;
  /** Allocate a TTY. */
  tty?: boolean;
  /** `{"80/tcp": {}}` or `{"80": {}}`; listed in {@link ContainerState.ports} after create. */
  exposed_ports?: Record<string, unknown> | null;
  /** Zun health check: `test` is a shell command line (run with `CMD-SHELL`); interval and timeout in seconds. */
  healthcheck?: { test: string | string[]; interval?: number | null; retries?: number | null; timeout?: number | null } | null;
  privileged?: boolean;
  /** OCI runtime; null: the driver's default (`[docker] container_runtime`). */
  runtime?: string | null;
  /** Pinned cpus/mems for Zun's `dedicated` cpu policy, e.g. `{cpus: '0-1', mems: '0'}`. */
  cpuset?: { cpus: string; mems?: string | null } | null;
  /** Host paths bind-mounted into the container (Zun's `bind` mounts and attached volumes). */
  binds?: Array<{ source: string; destination: string; read_only?: boolean }>;
  /**
   * Engine network to attach to at create time (`HostConfig.NetworkMode`): a network's name, or `none` for
   * no network at all; null: the engine's default bridge.
   */
  network_mode?: string | null;
  /**
   * How the container joins `network_mode` (`NetworkingConfig.EndpointsConfig`, keyed by network name): the
   * fixed address (and MAC) of its first port, from the network driver's `createNetworking`.
   */
  endpoints_config?: Record<string, { IPAMConfig: { IPv4Address: string }; MacAddress?: string }> | null;
  /**
   * Publish every exposed port on the host at a port the engine picks (`HostConfig.PortBindings` with an empty
   * HostPort); read them back from {@link ContainerState.published} once the container runs.
   */
  publish_ports?: boolean;
  /** `HostConfig.IpcMode`, e.g. `container:zun-<uuid>` to share the IPC namespace of a capsule's sandbox; null: the engine's default. */
  ipc_mode?: string | null;
  /** `HostConfig.PidMode`, e.g. `container:zun-<uuid>` to share the PID namespace of a capsule's sandbox; null: its own. */
  pid_mode?: string | null;
}

/** An exposed port the engine publishes on the host while the container runs. */
export interface PublishedPortBinding {
  port: number;
  protocol: 'tcp' | 'udp';
  /** The address the engine listens on (`0.0.0.0` for every address). */
  host_ip: string;
  host_port: number;
}

/** Health of a container with a health check. */
export interface ContainerHealth {
  status: 'starting' | 'healthy' | 'unhealthy' | 'none';
  failing_streak: number;
}

/** One address of a container on an engine network. */
export interface ContainerNetworkAddress {
  addr: string;
  version: 4 | 6;
  mac_address: string | null;
}

/** A container as the engine sees it, in Zun's terms. */
export interface ContainerState {
  uuid: string;
  /** Engine container id (Zun's `container_id`). */
  container_id: string;
  /** Engine-side name, `zun-<uuid>`. */
  name: string;
  /** Zun status. A never-started container reads `Created` unless a `currentStatus` says otherwise (see {@link reconcileStatus}). */
  status: ContainerStatus;
  /** Set with `Unknown`/`Error`, e.g. "unexpected container state". */
  status_reason: string | null;
  /** Docker-style human text, e.g. `Up 3 mins`, `Exited(0) 8 mins ago `. */
  status_detail: string | null;
  /** The process has been started at least once. */
  started: boolean;
  running: boolean;
  paused: boolean;
  restarting: boolean;
  dead: boolean;
  oom_killed: boolean;
  /** Exit code of the last run; null before the first exit. */
  exit_code: number | null;
  /** Engine error text (e.g. a failed start), or null. */
  error: string | null;
  pid: number | null;
  started_at: Date | null;
  finished_at: Date | null;
  restart_count: number;
  /** Null when the container has no health check. */
  health: ContainerHealth | null;
  hostname: string | null;
  /** The image reference the container was created from, and its id. */
  image: string;
  image_id: string;
  /** Effective command and entrypoint (the image's when none was given): Zun copies them into its record. */
  command: string[] | null;
  entrypoint: string[] | null;
  /** Exposed ports (image `EXPOSE` plus `exposed_ports`), as Zun's `ports`. */
  ports: number[];
  /** Addresses per engine network name. */
  addresses: Record<string, ContainerNetworkAddress[]>;
  /** Published ports (`NetworkSettings.Ports`), one per container port and protocol; empty unless running. */
  published: PublishedPortBinding[];
  /** OCI runtime in use (Zun reports it back into `runtime`). */
  runtime: string | null;
  labels: Record<string, string>;
  tty: boolean;
  interactive: boolean;
  auto_remove: boolean;
}

/** One `zun-*` container from {@link ContainerDriver.list}. */
export interface ContainerSummary {
  uuid: string;
  container_id: string;
  name: string;
  /** Zun status from the engine's one-word state (never-started → `Created`). */
  status: ContainerStatus;
  /** The engine's one-word state: `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`. */
  state: string;
  /** The engine's human status, e.g. `Up 5 minutes`. */
  status_detail: string;
  image: string;
  labels: Record<string, string>;
}

/** Options of {@link ContainerDriver.logs}. */
export interface LogsOptions {
  /** @default true */
  stdout?: boolean;
  /** @default true */
  stderr?: boolean;
  /** Prefix each line with an RFC 3339 timestamp. @default false */
  timestamps?: boolean;
  /** Last N lines, or all. @default 'all' */
  tail?: number | 'all';
  /** Only lines since this time (epoch seconds or a Date). */
  since?: number | Date | null;
}

/** A command to run in a running container. */
export interface ExecRequest {
  /** An argv, or a command line split the POSIX shell way (`"ls" "-l"`, as the zun client sends it). */
  command: string | string[];
  /** true: run now and return output and exit code; false: only create the exec (for a websocket session). @default true */
  run?: boolean;
  /** Create the exec with stdin and a TTY (only meaningful with `run: false`). @default false */
  interactive?: boolean;
  /** Bound on a `run` exec; on expiry a Conflict "Timeout on executing command: …" is thrown. @default 5000 */
  timeoutMs?: number;
}

/** Outcome of {@link ContainerDriver.execute}. */
export interface ExecResult {
  /** stdout and stderr interleaved, as plain text; null for `run: false`. */
  output: string | null;
  exit_code: number | null;
  /** The engine's exec id (64 hex) for `run: false`, null otherwise. */
  exec_id: string | null;
}

/** `ps` output of a container. */
export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** Zun's flat stats object (keys exactly as the API returns them). */
export interface ContainerStats {
  CONTAINER: string;
  'CPU %': number;
  'MEM USAGE(MiB)': number;
  'MEM LIMIT(MiB)': number;
  'MEM %': number;
  /** `read/write` bytes. */
  'BLOCK I/O(B)': string;
  /** `rx/tx` bytes. */
  'NET I/O(B)': string;
}

/** What the engine says about an archived path. */
export interface ArchiveStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** A tar of a path inside a container. */
export interface ArchiveResult {
  data: Buffer;
  stat: ArchiveStat;
}

/** Commit a container to an image. */
export interface CommitRequest {
  repository: string;
  /** @default 'latest' */
  tag?: string | null;
}

/** The image a commit produced. */
export interface CommitResult {
  image_id: string;
  /** `repository:tag`. */
  ref: string;
}

/** A private registry to pull from (Zun's `registry` resource). */
export interface RegistryCredentials {
  domain: string;
  username?: string | null;
  password?: string | null;
}

/** Get an image onto the host, following Zun's pull policy. */
export interface ImagePullRequest {
  /** As the user wrote it: `busybox`, `busybox:1.36`, `127.0.0.1:5050/x/y:tag`, … */
  image: string;
  /** `always`, `ifnotpresent`, `never` (any case); null: `always` for `latest`, else `ifnotpresent`. */
  image_pull_policy?: string | null;
  /** The container's registry: its domain prefixes names without one, its credentials authenticate the pull. */
  registry?: RegistryCredentials | null;
}

/** Outcome of {@link ContainerDriver.pullImage}. */
export interface ImagePullResult {
  /** Repository including the registry the name resolved to. */
  repo: string;
  tag: string | null;
  /** What to create containers from (`repo:tag` or `repo@digest`). */
  ref: string;
  image_id: string;
  /** Bytes. */
  size: number;
  /** false when the local copy was used. */
  pulled: boolean;
  /** Which image driver served it (always `docker` here). */
  driver: 'docker';
}

/** An image on the host. */
export interface ImageInfo {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  /** Bytes. */
  size: number;
  created: string;
  architecture: string;
  os: string;
  command: string[] | null;
  entrypoint: string[] | null;
  workdir: string | null;
  exposed_ports: number[];
  labels: Record<string, string>;
}

/** What {@link ContainerDriver.loadImage} put on the host. */
export interface ImageLoadResult {
  /** Id of the (first) image of the archive. */
  image_id: string;
  /** `repo:tag` names the archive gave its images (empty for an archive of untagged images). */
  refs: string[];
}

/** The host and its engine, for the compute node record. */
export interface HostInfo {
  /** The engine's idea of the host name. */
  hostname: string;
  cpus: number;
  /** MiB. */
  mem_total: number;
  /** GiB of the file system holding the engine's data (before Zun's `reserve_disk_for_image`). */
  disk_total: number;
  architecture: string;
  os: string;
  os_type: string;
  kernel_version: string;
  /** Engine daemon labels `k=v` as an object. */
  labels: Record<string, string>;
  /** OCI runtimes the engine offers (at least `runc`). */
  runtimes: string[];
  docker_root_dir: string;
  storage_driver: string;
  disk_quota_supported: boolean;
  total_containers: number;
  running_containers: number;
  paused_containers: number;
  stopped_containers: number;
  server_version: string;
}

/** Engine events the compute reacts to. */
export const DRIVER_EVENT_TYPES = ['start', 'die', 'oom', 'stop', 'pause', 'unpause', 'health_status', 'destroy'] as const;
/** One of {@link DRIVER_EVENT_TYPES}. */
export type DriverEventType = (typeof DRIVER_EVENT_TYPES)[number];

/** Something happened to a `zun-*` container. */
export interface DriverEvent {
  type: DriverEventType;
  uuid: string;
  container_id: string;
  time: Date;
  /** `die` only. */
  exit_code: number | null;
  /** `health_status` only: `healthy`, `unhealthy` or `starting`. */
  health_status: string | null;
}

/** A running event subscription. */
export interface EventSubscription {
  /** Stop listening; resolves once the stream is closed. */
  close(): Promise<void>;
}

/** Options of {@link ContainerDriver.events}. */
export interface EventOptions {
  /** Told about a broken stream before each reconnect attempt. */
  onError?: (err: Error) => void;
}

/**
 * A container engine as the compute service sees it. Every container is addressed by its Zun uuid
 * (the engine-side name is `zun-<uuid>`); engine-specific types never leave the implementation.
 *
 * Errors: a missing container → `ContainerNotFound`, a missing image → `ImageNotFound`, the engine
 * refusing because of the container's state ("is not running", "is paused") → `Conflict`, bad input →
 * `InvalidValue`, an unreachable engine → `DockerUnavailable` (retryable), anything else → `DockerError`.
 */
export interface ContainerDriver {
  /**
   * Creates the container (not started). Idempotent: when `zun-<uuid>` already exists it is returned as is,
   * so a redelivered create does not make a second container.
   */
  create(ctx: RequestContext, spec: ContainerCreateSpec): Promise<ContainerState>;
  /** Starts it; starting a running container is a no-op. */
  start(ctx: RequestContext, uuid: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSec` (engine default 10 s when null); stopping a stopped container is a no-op. */
  stop(ctx: RequestContext, uuid: string, timeoutSec?: number | null): Promise<void>;
  /** Sends a signal (`SIGKILL` when null): `KILL`, `sigterm`, `9` … are all accepted. */
  kill(ctx: RequestContext, uuid: string, signal?: string | null): Promise<void>;
  pause(ctx: RequestContext, uuid: string): Promise<void>;
  unpause(ctx: RequestContext, uuid: string): Promise<void>;
  /** Restarts (stop with `timeoutSec`, then start). */
  reboot(ctx: RequestContext, uuid: string, timeoutSec?: number | null): Promise<void>;
  /** Removes it; `force` kills a running one first. A container that is already gone is not an error. */
  delete(ctx: RequestContext, uuid: string, opts?: { force?: boolean }): Promise<void>;
  /**
   * Current state. With `currentStatus` (the status Zun has stored) a never-started container keeps that
   * status, except `Creating` which becomes `Created` (Zun's sync rule).
   */
  inspect(ctx: RequestContext, uuid: string, opts?: { currentStatus?: ContainerStatus }): Promise<ContainerState>;
  /** Every `zun-<uuid>` container on the engine, in any state. */
  list(ctx: RequestContext): Promise<ContainerSummary[]>;
  /** Changes cpu (shares) and/or memory (MiB) of an existing container (Zun's PATCH / resize_container). */
  update(ctx: RequestContext, uuid: string, change: { cpu?: number | null; memoryMiB?: number | null }): Promise<void>;
  /** Log text, stdout and stderr interleaved, without the engine's stream framing. */
  logs(ctx: RequestContext, uuid: string, opts?: LogsOptions): Promise<string>;
  /** Runs a command (or only creates the exec, for an interactive session). */
  execute(ctx: RequestContext, uuid: string, req: ExecRequest): Promise<ExecResult>;
  /** Resizes the TTY of an exec created with `interactive`. */
  execResize(ctx: RequestContext, execId: string, size: { width: number; height: number }): Promise<void>;
  /** Resizes the container's TTY (attach sessions). */
  resize(ctx: RequestContext, uuid: string, size: { width: number; height: number }): Promise<void>;
  /** `ps` inside the container; `psArgs` null or `"None"`: engine default. */
  top(ctx: RequestContext, uuid: string, psArgs?: string | null): Promise<TopResult>;
  /** One-shot usage figures; `displayName` fills `CONTAINER` (Zun shows its own name there). */
  stats(ctx: RequestContext, uuid: string, displayName?: string | null): Promise<ContainerStats>;
  /** A tar of `path`. A missing path → `InvalidValue`. */
  getArchive(ctx: RequestContext, uuid: string, path: string): Promise<ArchiveResult>;
  /** Extracts a tar into the directory `path`. A missing path → `InvalidValue`. */
  putArchive(ctx: RequestContext, uuid: string, path: string, data: Uint8Array): Promise<void>;
  /** Commits the container's file system to `repository:tag`. */
  commit(ctx: RequestContext, uuid: string, req: CommitRequest): Promise<CommitResult>;
  /** Resolves the name (registry domain / `[docker] default_registry`, tag `latest`) and pulls per policy. */
  pullImage(ctx: RequestContext, req: ImagePullRequest): Promise<ImagePullResult>;
  /**
   * Loads an image archive (the tar `docker save` makes) streamed from `archive` (Zun's glance image driver). An
   * archive the engine cannot read → `InvalidValue`.
   */
  loadImage(ctx: RequestContext, archive: Readable): Promise<ImageLoadResult>;
  /** The archive of an image (`docker save`), streamed; `ImageNotFound` if absent. */
  saveImage(ctx: RequestContext, ref: string): Promise<Readable>;
  /** Gives the image `ref` (a reference or id) the name `repo:tag` as well; `ImageNotFound` if absent. */
  tagImage(ctx: RequestContext, ref: string, repo: string, tag: string): Promise<void>;
  /** An image on the host by reference or id; `ImageNotFound` if absent. */
  imageInspect(ctx: RequestContext, ref: string): Promise<ImageInfo>;
  /** Removes an image; an image that is already gone is not an error. */
  removeImage(ctx: RequestContext, ref: string, opts?: { force?: boolean }): Promise<void>;
  /** Host and engine facts for the compute node record. */
  hostInfo(ctx: RequestContext): Promise<HostInfo>;
  /** Streams events of `zun-*` containers until closed, reconnecting after engine restarts. */
  events(onEvent: (event: DriverEvent) => void, opts?: EventOptions): EventSubscription;
}

/** Injection token of the host's {@link ContainerDriver}. */
export const CONTAINER_DRIVER: ServiceIdentifier<ContainerDriver> = Symbol.for('zun.ContainerDriver');
