import { randomBytes } from 'node:crypto';
import { type Readable } from 'node:stream';
import { Conflict, ContainerNotFound, type RequestContext } from '@zun-ts/common';
import { type ContainerStatus } from '@zun-ts/objects';
import {
  type ArchiveResult,
  type CommitRequest,
  type CommitResult,
  type ContainerCreateSpec,
  type ContainerDriver,
  type ContainerState,
  type ContainerStats,
  type ContainerSummary,
  type DriverEvent,
  type DriverEventType,
  type EventOptions,
  type EventSubscription,
  type ExecRequest,
  type ExecResult,
  type HostInfo,
  type ImageInfo,
  type ImageLoadResult,
  type ImagePullRequest,
  type ImagePullResult,
  type LogsOptions,
  type TopResult,
} from './container-driver';
import { containerName, ZUN_UUID_LABEL } from './container-naming';
import { reconcileStatus } from './container-status';
import { ImageNotFound, UnexpectedDriverCall } from './driver.errors';
import { resolveImage } from '@zun-ts/image-registry';
import { decidePull, effectivePullPolicy } from './pull-policy';

/** A method of {@link ContainerDriver}. */
export type DriverMethod = keyof ContainerDriver;

/** One recorded call. */
export interface DriverCall {
  method: DriverMethod;
  args: unknown[];
}

type AnyHandler = (...args: never[]) => unknown;

/** Options of {@link FakeContainerDriver.simulated}. */
export interface SimulatedDriverOptions {
  /** Images already on the fake host (engine refs such as `127.0.0.1:5050/busybox:latest`). */
  localImages?: string[];
  /** Images the fake registry does not have (refs after resolution); pulling them fails with ImageNotFound. */
  missingImages?: string[];
  /** `[docker] default_registry` for name resolution. */
  defaultRegistry?: string | null;
  /** What `hostInfo` answers (merged over a small default host). */
  hostInfo?: Partial<HostInfo>;
  /** Clock for timestamps. */
  now?: () => Date;
  /** Called when a container is made, before create answers (e.g. a fake network driver plugs its first port). */
  onCreate?: (spec: ContainerCreateSpec, state: ContainerState) => void;
  /** Called when a container is removed (e.g. a fake network driver unplugs it). */
  onDelete?: (state: ContainerState) => void;
}

/**
 * A strict fake for unit tests of code that drives containers. Every call must have been announced with
 * {@link expect} (one call, in order) or {@link stub} (any number of calls); anything else throws
 * {@link UnexpectedDriverCall} (async methods reject) and is also remembered, so {@link verify} fails even
 * when the code under test swallowed the error. {@link simulated} pre-stubs an in-memory engine.
 */
export class FakeContainerDriver implements ContainerDriver {
  /** Every call, in order (ctx included as the first argument). */
  readonly calls: DriverCall[] = [];
  /** Calls nobody expected. */
  readonly unexpected: UnexpectedDriverCall[] = [];
  private readonly queued = new Map<DriverMethod, AnyHandler[]>();
  private readonly stubs = new Map<DriverMethod, AnyHandler>();
  private readonly listeners = new Set<(e: DriverEvent) => void>();

  /** The in-memory engine of a {@link simulated} fake (empty otherwise); tests may read or edit it. */
  readonly containers = new Map<string, ContainerState>();
  /** Images on the simulated host. */
  readonly images = new Set<string>();

  /**
   * Allow exactly one more call of `method`, answered by `impl`. Without `impl` the call resolves to
   * undefined, which suits the methods that return nothing. Expectations are used before stubs.
   */
  expect<M extends DriverMethod>(method: M, impl?: ContainerDriver[M]): this {
    const list = this.queued.get(method) ?? [];
    list.push((impl ?? (() => Promise.resolve(undefined))) as AnyHandler);
    this.queued.set(method, list);
    return this;
  }

  /** Answer every call of `method` with `impl` (replaces an earlier stub). */
  stub<M extends DriverMethod>(method: M, impl: ContainerDriver[M]): this {
    this.stubs.set(method, impl as AnyHandler);
    return this;
  }

  /** The argument lists of every call of `method`. */
  callsOf(method: DriverMethod): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** Throws when a call was unexpected or an {@link expect}ed call did not happen. */
  verify(): void {
    const first = this.unexpected[0];
    if (first) throw first;
    const pending = [...this.queued].filter(([, l]) => l.length > 0).map(([m, l]) => `${m} ×${l.length}`);
    if (pending.length) throw new Error(`FakeContainerDriver: expected calls not made: ${pending.join(', ')}`);
  }

  /** Deliver an event to every `events()` subscriber (simulated fakes emit lifecycle events themselves). */
  emit(event: DriverEvent): void {
    for (const l of this.listeners) l(event);
  }

  private dispatch(method: DriverMethod, args: unknown[]): unknown {
    this.calls.push({ method, args });
    const handler = this.queued.get(method)?.shift() ?? this.stubs.get(method);
    if (!handler) {
      const err = new UnexpectedDriverCall(method, args);
      this.unexpected.push(err);
      if (method === 'events') throw err;
      return Promise.reject(err);
    }
    const call = handler as (...a: unknown[]) => unknown;
    if (method === 'events') return call(...args);
    return Promise.resolve().then(() => call(...args));
  }

  create(ctx: RequestContext, spec: ContainerCreateSpec): Promise<ContainerState> {
    return this.dispatch('create', [ctx, spec]) as Promise<ContainerState>;
  }
  start(ctx: RequestContext, uuid: string): Promise<void> {
    return this.dispatch('start', [ctx, uuid]) as Promise<void>;
  }
  stop(ctx: RequestContext, uuid: string, timeoutSec?: number | null): Promise<void> {
    return this.dispatch('stop', [ctx, uuid, timeoutSec]) as Promise<void>;
  }
  kill(ctx: RequestContext, uuid: string, signal?: string | null): Promise<void> {
    return this.dispatch('kill', [ctx, uuid, signal]) as Promise<void>;
  }
  pause(ctx: RequestContext, uuid: string): Promise<void> {
    return this.dispatch('pause', [ctx, uuid]) as Promise<void>;
  }
  unpause(ctx: RequestContext, uuid: string): Promise<void> {
    return this.dispatch('unpause', [ctx, uuid]) as Promise<void>;
  }
  reboot(ctx: RequestContext, uuid: string, timeoutSec?: number | null): Promise<void> {
    return this.dispatch('reboot', [ctx, uuid, timeoutSec]) as Promise<void>;
  }
  delete(ctx: RequestContext, uuid: string, opts?: { force?: boolean }): Promise<void> {
    return this.dispatch('delete', [ctx, uuid, opts]) as Promise<void>;
  }
  inspect(ctx: RequestContext, uuid: string, opts?: { currentStatus?: ContainerStatus }): Promise<ContainerState> {
    return this.dispatch('inspect', [ctx, uuid, opts]) as Promise<ContainerState>;
  }
  list(ctx: RequestContext): Promise<ContainerSummary[]> {
    return this.dispatch('list', [ctx]) as Promise<ContainerSummary[]>;
  }
  update(ctx: RequestContext, uuid: string, change: { cpu?: number | null; memoryMiB?: number | null }): Promise<void> {
    return this.dispatch('update', [ctx, uuid, change]) as Promise<void>;
  }
  logs(ctx: RequestContext, uuid: string, opts?: LogsOptions): Promise<string> {
    return this.dispatch('logs', [ctx, uuid, opts]) as Promise<string>;
  }
  execute(ctx: RequestContext, uuid: string, req: ExecRequest): Promise<ExecResult> {
    return this.dispatch('execute', [ctx, uuid, req]) as Promise<ExecResult>;
  }
  execResize(ctx: RequestContext, execId: string, size: { width: number; height: number }): Promise<void> {
    return this.dispatch('execResize', [ctx, execId, size]) as Promise<void>;
  }
  resize(ctx: RequestContext, uuid: string, size: { width: number; height: number }): Promise<void> {
    return this.dispatch('resize', [ctx, uuid, size]) as Promise<void>;
  }
  top(ctx: RequestContext, uuid: string, psArgs?: string | null): Promise<TopResult> {
    return this.dispatch('top', [ctx, uuid, psArgs]) as Promise<TopResult>;
  }
  stats(ctx: RequestContext, uuid: string, displayName?: string | null): Promise<ContainerStats> {
    return this.dispatch('stats', [ctx, uuid, displayName]) as Promise<ContainerStats>;
  }
  getArchive(ctx: RequestContext, uuid: string, path: string): Promise<ArchiveResult> {
    return this.dispatch('getArchive', [ctx, uuid, path]) as Promise<ArchiveResult>;
  }
  putArchive(ctx: RequestContext, uuid: string, path: string, data: Uint8Array): Promise<void> {
    return this.dispatch('putArchive', [ctx, uuid, path, data]) as Promise<void>;
  }
  commit(ctx: RequestContext, uuid: string, req: CommitRequest): Promise<CommitResult> {
    return this.dispatch('commit', [ctx, uuid, req]) as Promise<CommitResult>;
  }
  pullImage(ctx: RequestContext, req: ImagePullRequest): Promise<ImagePullResult> {
    return this.dispatch('pullImage', [ctx, req]) as Promise<ImagePullResult>;
  }
  loadImage(ctx: RequestContext, archive: Readable): Promise<ImageLoadResult> {
    return this.dispatch('loadImage', [ctx, archive]) as Promise<ImageLoadResult>;
  }
  saveImage(ctx: RequestContext, ref: string): Promise<Readable> {
    return this.dispatch('saveImage', [ctx, ref]) as Promise<Readable>;
  }
  tagImage(ctx: RequestContext, ref: string, repo: string, tag: string): Promise<void> {
    return this.dispatch('tagImage', [ctx, ref, repo, tag]) as Promise<void>;
  }
  imageInspect(ctx: RequestContext, ref: string): Promise<ImageInfo> {
    return this.dispatch('imageInspect', [ctx, ref]) as Promise<ImageInfo>;
  }
  removeImage(ctx: RequestContext, ref: string, opts?: { force?: boolean }): Promise<void> {
    return this.dispatch('removeImage', [ctx, ref, opts]) as Promise<void>;
  }
  hostInfo(ctx: RequestContext): Promise<HostInfo> {
    return this.dispatch('hostInfo', [ctx]) as Promise<HostInfo>;
  }
  events(onEvent: (event: DriverEvent) => void, opts?: EventOptions): EventSubscription {
    return this.dispatch('events', [onEvent, opts]) as EventSubscription;
  }

  /**
   * A fake whose lifecycle methods (create, start, stop, kill, pause, unpause, reboot, delete, inspect,
   * list, update, pullImage, hostInfo, events) run against an in-memory engine with Docker's state rules
   * and events. Other methods stay strict: stub or expect them.
   */
  static simulated(opts: SimulatedDriverOptions = {}): FakeContainerDriver {
    const fake = new FakeContainerDriver();
    const now = opts.now ?? (() => new Date());
    for (const i of opts.localImages ?? []) fake.images.add(i);
    const missing = new Set(opts.missingImages ?? []);

    const get = (uuid: string): ContainerState => {
      const c = fake.containers.get(uuid);
      if (!c) throw new ContainerNotFound(`No such container: ${containerName(uuid)}`);
      return c;
    };
    const emit = (type: DriverEventType, c: ContainerState, extra: Partial<DriverEvent> = {}): void =>
      fake.emit({ type, uuid: c.uuid, container_id: c.container_id, time: now(), exit_code: null, health_status: null, ...extra });
    // What each container publishes, and the host port the next start picks (the engine picks anew at every start).
    const publishes = new Map<string, { port: number; protocol: 'tcp' | 'udp' }[]>();
    let nextHostPort = 32768;
    const exit = (c: ContainerState, code: number): void => {
      Object.assign(c, { status: 'Stopped', running: false, paused: false, exit_code: code, finished_at: now(), pid: null, published: [] });
      c.status_detail = `Exited(${code}) `;
      emit('die', c, { exit_code: code });
    };
    const run = (c: ContainerState): void => {
      Object.assign(c, { status: 'Running', running: true, paused: false, started: true, started_at: now(), pid: 4242 });
      c.published = (publishes.get(c.uuid) ?? []).map((p) => ({ ...p, host_ip: '0.0.0.0', host_port: nextHostPort++ }));
      c.status_detail = 'Up';
      emit('start', c);
    };

    fake.stub('create', async (_ctx, spec) => {
      const existing = fake.containers.get(spec.uuid);
      if (existing) return { ...existing };
      const id = randomBytes(32).toString('hex');
      const state: ContainerState = {
        uuid: spec.uuid,
        container_id: id,
        name: containerName(spec.uuid),
        status: 'Created',
        status_reason: null,
        status_detail: 'Created',
        started: false,
        running: false,
        paused: false,
        restarting: false,
        dead: false,
        oom_killed: false,
        exit_code: null,
        error: null,
        pid: null,
        started_at: null,
        finished_at: null,
        restart_count: 0,
        health: spec.healthcheck ? { status: 'starting', failing_streak: 0 } : null,
        hostname: spec.hostname ?? id.slice(0, 12),
        image: spec.image,
        image_id: `sha256:${randomBytes(32).toString('hex')}`,
        command: spec.command?.length ? [...spec.command] : ['sh'],
        entrypoint: spec.entrypoint?.length ? [...spec.entrypoint] : null,
        ports: Object.keys(spec.exposed_ports ?? {}).map((k) => Number(k.split('/')[0])),
        addresses: fakeAddressesOf(spec),
        published: [],
        runtime: spec.runtime ?? 'runc',
        labels: { ...(spec.labels ?? {}), [ZUN_UUID_LABEL]: spec.uuid },
        tty: spec.tty ?? false,
        interactive: spec.interactive ?? false,
        auto_remove: spec.auto_remove ?? false,
      };
      fake.containers.set(spec.uuid, state);
      opts.onCreate?.(spec, state);
      if (spec.publish_ports) {
        publishes.set(spec.uuid, Object.keys(spec.exposed_ports ?? {}).map((k) => {
          const [port = '', proto] = k.split('/');
          return { port: Number(port), protocol: proto === 'udp' ? 'udp' : 'tcp' };
        }));
      }
      return { ...state };
    });
    fake.stub('start', async (_ctx, uuid) => {
      const c = get(uuid);
      if (c.paused) throw new Conflict(`cannot start a paused container, try unpause instead`);
      if (!c.running) run(c);
    });
    fake.stub('stop', async (_ctx, uuid) => {
      const c = get(uuid);
      if (!c.running) return;
      exit(c, 143);
      emit('stop', c);
    });
    fake.stub('kill', async (_ctx, uuid) => {
      const c = get(uuid);
      if (!c.running) throw new Conflict(`Container ${c.container_id} is not running`);
      exit(c, 137);
    });
    fake.stub('pause', async (_ctx, uuid) => {
      const c = get(uuid);
      if (!c.running) throw new Conflict(`Container ${c.container_id} is not running`);
      if (c.paused) throw new Conflict(`Container ${c.container_id} is already paused`);
      Object.assign(c, { status: 'Paused', paused: true, status_detail: 'Up (paused)' });
      emit('pause', c);
    });
    fake.stub('unpause', async (_ctx, uuid) => {
      const c = get(uuid);
      if (!c.paused) throw new Conflict(`Container ${c.container_id} is not paused`);
      Object.assign(c, { status: 'Running', paused: false, status_detail: 'Up' });
      emit('unpause', c);
    });
    fake.stub('reboot', async (_ctx, uuid) => {
      const c = get(uuid);
      if (c.running) exit(c, 143);
      c.restart_count += 1;
      run(c);
    });
    fake.stub('delete', async (_ctx, uuid, o) => {
      const c = fake.containers.get(uuid);
      if (!c) return;
      if (c.running && !o?.force) {
        throw new Conflict(`You cannot remove a running container ${c.container_id}. Stop the container before attempting removal or force remove`);
      }
      if (c.running) exit(c, 137);
      fake.containers.delete(uuid);
      opts.onDelete?.(c);
      emit('destroy', c);
    });
    fake.stub('inspect', async (_ctx, uuid, o) => {
      const c = { ...get(uuid) };
      if (o?.currentStatus) c.status = reconcileStatus(o.currentStatus, c);
      return c;
    });
    fake.stub('list', async () =>
      [...fake.containers.values()].map((c) => ({
        uuid: c.uuid,
        container_id: c.container_id,
        name: c.name,
        status: c.status,
        state: c.paused ? 'paused' : c.running ? 'running' : c.started ? 'exited' : 'created',
        status_detail: c.status_detail ?? '',
        image: c.image,
        labels: { ...c.labels },
      })),
    );
    fake.stub('update', async (_ctx, uuid) => {
      get(uuid);
    });
    fake.stub('pullImage', async (_ctx, req) => {
      const r = resolveImage(req.image, { registryDomain: req.registry?.domain, defaultRegistry: opts.defaultRegistry });
      const present = fake.images.has(r.ref);
      const decision = decidePull(effectivePullPolicy(req.image_pull_policy, r.tag), present);
      if (decision === 'missing') throw new ImageNotFound(`Image ${r.repo} not present with pull policy of Never`);
      if (decision === 'pull') {
        if (missing.has(r.ref)) throw new ImageNotFound(`manifest for ${r.ref} not found: manifest unknown`);
        fake.images.add(r.ref);
      }
      return { repo: r.repo, tag: r.tag, ref: r.ref, image_id: `sha256:${'0'.repeat(64)}`, size: 2_000_000, pulled: decision === 'pull', driver: 'docker' as const };
    });
    fake.stub('hostInfo', async () => ({
      hostname: 'fake-host',
      cpus: 4,
      mem_total: 8192,
      disk_total: 100,
      architecture: 'x86_64',
      os: 'Debian GNU/Linux 12 (bookworm)',
      os_type: 'linux',
      kernel_version: '6.1.0',
      labels: {},
      runtimes: ['runc'],
      docker_root_dir: '/var/lib/docker',
      storage_driver: 'overlay2',
      disk_quota_supported: false,
      total_containers: fake.containers.size,
      running_containers: [...fake.containers.values()].filter((c) => c.running && !c.paused).length,
      paused_containers: [...fake.containers.values()].filter((c) => c.paused).length,
      stopped_containers: [...fake.containers.values()].filter((c) => !c.running).length,
      server_version: '20.10.24',
      ...opts.hostInfo,
    }));
    fake.stub('events', (onEvent) => {
      fake.listeners.add(onEvent);
      return { close: async () => void fake.listeners.delete(onEvent) };
    });
    return fake;
  }
}

/** The simulated engine's addresses: the default bridge, none, or the fixed address of the first network. */
function fakeAddressesOf(spec: ContainerCreateSpec): ContainerState['addresses'] {
  if (!spec.network_mode) return { bridge: [{ addr: '172.17.0.2', version: 4, mac_address: '02:42:ac:11:00:02' }] };
  const out: ContainerState['addresses'] = {};
  for (const [name, ep] of Object.entries(spec.endpoints_config ?? {})) out[name] = [{ addr: ep.IPAMConfig.IPv4Address, version: 4, mac_address: ep.MacAddress ?? null }];
  return out;
}
