import { statfs } from 'node:fs/promises';
import { type IncomingMessage } from 'node:http';
import { type Readable } from 'node:stream';
import Docker from 'dockerode';
import { Conflict, InvalidValue, KeyedLock, type Logger, type RequestContext, silentLogger, splitShellWords } from '@zun-ts/common';
import {
  type ArchiveResult,
  type ArchiveStat,
  type CommitRequest,
  type CommitResult,
  type ContainerCreateSpec,
  type ContainerDriver,
  containerName,
  type ContainerState,
  type ContainerStats,
  type ContainerSummary,
  decidePull,
  DockerError,
  type DriverEvent,
  effectivePullPolicy,
  type EventOptions,
  type EventSubscription,
  type ExecRequest,
  type ExecResult,
  type HostInfo,
  type ImageInfo,
  type ImageLoadResult,
  ImageNotFound,
  type ImagePullRequest,
  type ImagePullResult,
  type LogsOptions,
  resolveImage,
  type TopResult,
  uuidFromContainerName,
} from './driver-contract';
import { type DockerConf } from '@zun-ts/config';
import { type ContainerStatus } from '@zun-ts/objects';
import { cpuShares, memoryBytes, toDockerCreateOptions } from './docker-create.mapping';
import { dockerStatusCode, dockerMessage, toZunError, type DockerErrorSubject } from './docker-errors';
import { DOCKER_EVENT_FILTER, JsonLineSplitter, toDriverEvent } from './docker-events.mapping';
import { dockerSocketPath } from './docker-host';
import { probeDiskQuota } from './docker-disk-quota';
import { loadImageArchive, saveImageArchive, tagImage } from './docker-image-archive';
import { type DockerInfo, toHostInfo } from './docker-host-info.mapping';
import { toContainerState, portsOf, zunStatusOfListState } from './docker-state.mapping';
import { toContainerStats } from './docker-stats.mapping';
import { type PullAuth, TagFreshness } from './tag-freshness';
import { demuxDockerStream } from './docker-stream';

/** How to reach and use the engine. */
export interface DockerDriverOptions {
  /** `[docker] docker_remote_api_host`; only `unix:///path/to/docker.sock` is accepted. */
  host: string;
  /** `[docker] default_registry`: prefixed to image names that carry no registry. */
  defaultRegistry?: string | null;
  /** Credentials used when pulling from the default registry. */
  defaultRegistryCredentials?: { username: string; password: string } | null;
  /** `[docker] container_runtime`. @default 'runc' */
  containerRuntime?: string;
  /** `[docker] default_timeout`: idle bound on one ordinary engine request, in seconds. @default 120 */
  timeoutSec?: number;
  /** Bound on a synchronous exec, in ms (Zun's `execute_timeout`). @default 5000 */
  execTimeoutMs?: number;
  /** Also cap cpu with NanoCpus (Zun sets shares only). @default false */
  hardCpuLimit?: boolean;
  logger?: Logger;
}

const EVENT_RECONNECT_MIN_MS = 200;
const EVENT_RECONNECT_MAX_MS = 5_000;

/**
 * {@link ContainerDriver} on a Docker engine (API ≥ 1.41) through its local unix socket, with dockerode.
 * Containers are named `zun-<uuid>` and labelled with the uuid; all calls address them by that name.
 */
export class DockerContainerDriver implements ContainerDriver {
  /** For ordinary requests: an idle socket is abandoned after `timeoutSec`. */
  private readonly api: Docker;
  /** For requests that legitimately stay quiet for long (stop timeouts, pulls, commits, events). */
  private readonly slowApi: Docker;
  private readonly log: Logger;
  private readonly opts: Required<Omit<DockerDriverOptions, 'logger' | 'defaultRegistry' | 'defaultRegistryCredentials'>> &
    Pick<DockerDriverOptions, 'defaultRegistry' | 'defaultRegistryCredentials'>;
  private readonly subscriptions = new Set<EventSubscription>();
  private readonly freshness = new TagFreshness();
  /**
   * Stops, restarts and force-removes of running containers, one at a time per network they are on (ADR 0027).
   * Docker 20.10 before 20.10.27 (Debian 12 ships 20.10.24) can deadlock its network controller when two endpoints of
   * one user-defined network are released at once (moby/moby#46661): from then on nothing that touches networks is
   * answered until dockerd restarts. The engine releases a container's endpoints when its process ends, before these
   * requests return. Not covered: a process that ends by itself, or a network disconnect, at the same moment.
   */
  private readonly teardowns = new KeyedLock();
  /** The engine's answer to the disk quota probe, asked once (an unanswered probe is asked again). */
  private diskQuota: Promise<boolean> | null = null;
  /** The unix socket in use. */
  readonly socketPath: string;

  /** @throws ConfigError when `host` is not a unix:// address. */
  constructor(options: DockerDriverOptions) {
    this.socketPath = dockerSocketPath(options.host);
    this.opts = {
      host: options.host,
      defaultRegistry: options.defaultRegistry ?? null,
      defaultRegistryCredentials: options.defaultRegistryCredentials ?? null,
      containerRuntime: options.containerRuntime || 'runc',
      timeoutSec: options.timeoutSec ?? 120,
      execTimeoutMs: options.execTimeoutMs ?? 5_000,
      hardCpuLimit: options.hardCpuLimit ?? false,
    };
    this.log = options.logger ?? silentLogger();
    this.api = new Docker({ socketPath: this.socketPath, timeout: this.opts.timeoutSec * 1000 });
    this.slowApi = new Docker({ socketPath: this.socketPath });
  }

  /** A driver configured from `[docker]`. */
  static fromConfig(conf: DockerConf, extra: Pick<DockerDriverOptions, 'logger' | 'hardCpuLimit' | 'execTimeoutMs'> = {}): DockerContainerDriver {
    return new DockerContainerDriver({
      host: conf.docker_remote_api_host,
      defaultRegistry: conf.default_registry,
      // `[docker] default_registry_username/password`: used for pulls from default_registry only.
      defaultRegistryCredentials: conf.default_registry_username
        ? { username: conf.default_registry_username, password: conf.default_registry_password ?? '' }
        : null,
      containerRuntime: conf.container_runtime,
      timeoutSec: conf.default_timeout,
      ...extra,
    });
  }

  /** Stops every event subscription. */
  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
  }

  /** Engine liveness (`GET /_ping`). */
  async ping(): Promise<void> {
    await this.call('container', () => this.api.ping());
  }

  private container(uuid: string, slow = false): Docker.Container {
    return (slow ? this.slowApi : this.api).getContainer(containerName(uuid));
  }

  private async call<T>(subject: DockerErrorSubject, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toZunError(err, subject);
    }
  }

  /** Runs `fn`; an engine "304 Not Modified" (already in the wanted state) counts as success. */
  private async idempotent(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (dockerStatusCode(err) === 304) return;
      throw toZunError(err, 'container');
    }
  }

  async create(ctx: RequestContext, spec: ContainerCreateSpec): Promise<ContainerState> {
    const diskQuota = spec.disk ? await this.diskQuotaSupported() : undefined;
    const options = toDockerCreateOptions(spec, { defaultRuntime: this.opts.containerRuntime, hardCpuLimit: this.opts.hardCpuLimit, diskQuota });
    try {
      await this.api.createContainer(options);
      this.log.info('container created', { requestId: ctx.requestId, containerUuid: spec.uuid, name: spec.name ?? null, image: spec.image });
    } catch (err) {
      const status = dockerStatusCode(err);
      // A redelivered create finds its own container: `zun-<uuid>` is unique to this uuid.
      if (status === 409 && /already in use/i.test(dockerMessage(err))) {
        this.log.info('container already exists', { requestId: ctx.requestId, containerUuid: spec.uuid });
      } else if (status === 404) {
        throw new ImageNotFound(dockerMessage(err), { cause: err });
      } else {
        throw toZunError(err, 'container');
      }
    }
    return this.inspect(ctx, spec.uuid);
  }

  async start(_ctx: RequestContext, uuid: string): Promise<void> {
    await this.idempotent(() => this.container(uuid).start());
  }

  async stop(_ctx: RequestContext, uuid: string, timeoutSec?: number | null): Promise<void> {
    const opts = timeoutSec === null || timeoutSec === undefined ? {} : { t: Math.max(0, Math.trunc(timeoutSec)) };
    await this.teardowns.runAll(await this.runningNetworks(uuid), () => this.idempotent(() => this.container(uuid, true).stop(opts)));
  }

  async kill(_ctx: RequestContext, uuid: string, signal?: string | null): Promise<void> {
    const sig = signal && signal !== 'None' ? signal : undefined;
    await this.call('container', () => this.container(uuid).kill(sig ? { signal: sig } : {}));
  }

  async pause(_ctx: RequestContext, uuid: string): Promise<void> {
    await this.call('container', () => this.container(uuid).pause());
  }

  async unpause(_ctx: RequestContext, uuid: string): Promise<void> {
    await this.call('container', () => this.container(uuid).unpause());
  }

  async reboot(_ctx: RequestContext, uuid: string, timeoutSec?: number | null): Promise<void> {
    const opts = timeoutSec === null || timeoutSec === undefined ? {} : { t: Math.max(0, Math.trunc(timeoutSec)) };
    await this.teardowns.runAll(await this.runningNetworks(uuid), () => this.call('container', () => this.container(uuid, true).restart(opts)));
  }

  async delete(ctx: RequestContext, uuid: string, opts: { force?: boolean } = {}): Promise<void> {
    try {
      const remove = (): Promise<void> => this.container(uuid, true).remove({ force: opts.force ?? false });
      await (opts.force ? this.teardowns.runAll(await this.runningNetworks(uuid), remove) : remove());
      this.log.info('container removed', { requestId: ctx.requestId, containerUuid: uuid });
    } catch (err) {
      const status = dockerStatusCode(err);
      // Gone already, or another delivery of this delete is removing it right now.
      if (status === 404) return;
      if (status === 409 && /already in progress/i.test(dockerMessage(err))) return;
      throw toZunError(err, 'container');
    }
  }

  /** The networks whose endpoints stopping the container releases: none unless it runs (or is gone). */
  private async runningNetworks(uuid: string): Promise<string[]> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.container(uuid).inspect();
    } catch (err) {
      if (dockerStatusCode(err) === 404) return [];
      throw toZunError(err, 'container');
    }
    if (!info.State?.Running && !info.State?.Restarting) return [];
    return Object.keys(info.NetworkSettings?.Networks ?? {});
  }

  async inspect(_ctx: RequestContext, uuid: string, opts: { currentStatus?: ContainerStatus } = {}): Promise<ContainerState> {
    const info = await this.call('container', () => this.container(uuid).inspect());
    return toContainerState(info, { currentStatus: opts.currentStatus });
  }

  async list(_ctx: RequestContext): Promise<ContainerSummary[]> {
    const all = await this.call('container', () => this.api.listContainers({ all: true, filters: { name: ['zun-'] } }));
    const out: ContainerSummary[] = [];
    for (const c of all) {
      const name = (c.Names[0] ?? '').replace(/^\//, '');
      const uuid = uuidFromContainerName(name);
      if (!uuid) continue;
      out.push({
        uuid,
        container_id: c.Id,
        name,
        status: zunStatusOfListState(c.State),
        state: c.State,
        status_detail: c.Status,
        image: c.Image,
        labels: { ...(c.Labels ?? {}) },
      });
    }
    return out;
  }

  async update(_ctx: RequestContext, uuid: string, change: { cpu?: number | null; memoryMiB?: number | null }): Promise<void> {
    const body: Record<string, number> = {};
    if (change.memoryMiB !== null && change.memoryMiB !== undefined) {
      body.Memory = memoryBytes(change.memoryMiB);
      // Zun's default_memory_swap: no separate swap limit, so a smaller memory limit never trips over the old swap limit.
      body.MemorySwap = -1;
    }
    if (change.cpu !== null && change.cpu !== undefined) {
      body.CpuShares = cpuShares(change.cpu);
      if (this.opts.hardCpuLimit) body.NanoCpus = Math.round(change.cpu * 1e9);
    }
    if (!Object.keys(body).length) return;
    await this.call('container', () => this.container(uuid).update(body));
  }

  async logs(_ctx: RequestContext, uuid: string, opts: LogsOptions = {}): Promise<string> {
    const c = this.container(uuid, true);
    const info = await this.call('container', () => c.inspect());
    let stdout = opts.stdout ?? true;
    let stderr = opts.stderr ?? true;
    if (!stdout && !stderr) stdout = stderr = true;
    const since = opts.since instanceof Date ? Math.floor(opts.since.getTime() / 1000) : opts.since ?? undefined;
    const raw = await this.call('container', () =>
      c.logs({
        follow: false,
        stdout,
        stderr,
        timestamps: opts.timestamps ?? false,
        // no tail means every line
        ...(typeof opts.tail === 'number' ? { tail: Math.max(0, Math.trunc(opts.tail)) } : {}),
        ...(since !== undefined ? { since } : {}),
      }),
    );
    const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as unknown as string);
    return (info.Config?.Tty ? buf : demuxDockerStream(buf).combined).toString('utf8');
  }

  async execute(ctx: RequestContext, uuid: string, req: ExecRequest): Promise<ExecResult> {
    const cmd = typeof req.command === 'string' ? splitShellWords(req.command) : [...req.command];
    if (!cmd.length) throw new InvalidValue('The command to execute is empty');
    const run = req.run ?? true;
    const interactive = !run && (req.interactive ?? false);
    const exec = await this.call('container', () =>
      this.container(uuid).exec({ Cmd: cmd, AttachStdin: interactive, AttachStdout: true, AttachStderr: true, Tty: interactive }),
    );
    if (!run) return { output: null, exit_code: null, exec_id: exec.id };

    const execOnSlow = this.slowApi.getExec(exec.id);
    const stream = await this.call('container', () => execOnSlow.start({ hijack: true, stdin: false, Detach: false, Tty: false }));
    const timeoutMs = req.timeoutMs ?? this.opts.execTimeoutMs;
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.destroy();
        const text = typeof req.command === 'string' ? req.command : req.command.join(' ');
        reject(new Conflict(`Timeout on executing command: ${text}`));
      }, timeoutMs);
      stream.on('data', (d: Buffer) => chunks.push(d));
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', (e: Error) => {
        clearTimeout(timer);
        reject(toZunError(e));
      });
    });
    // The exit code is recorded a moment after the output stream closes.
    let exitCode: number | null = null;
    for (let i = 0; i < 50; i++) {
      const info = await this.call('exec', () => exec.inspect());
      if (!info.Running) {
        exitCode = info.ExitCode ?? null;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    this.log.debug('exec finished', { requestId: ctx.requestId, containerUuid: uuid, exitCode });
    return { output: demuxDockerStream(Buffer.concat(chunks)).combined.toString('utf8'), exit_code: exitCode, exec_id: null };
  }

  async execResize(_ctx: RequestContext, execId: string, size: { width: number; height: number }): Promise<void> {
    await this.call('exec', () => this.api.getExec(execId).resize({ h: size.height, w: size.width }));
  }

  async resize(_ctx: RequestContext, uuid: string, size: { width: number; height: number }): Promise<void> {
    await this.call('container', () => this.container(uuid).resize({ h: size.height, w: size.width }));
  }

  async top(_ctx: RequestContext, uuid: string, psArgs?: string | null): Promise<TopResult> {
    const args = psArgs && psArgs !== 'None' ? { ps_args: psArgs } : {};
    const res = (await this.call('container', () => this.container(uuid).top(args))) as { Titles?: string[]; Processes?: string[][] };
    return { Titles: res.Titles ?? [], Processes: res.Processes ?? [] };
  }

  async stats(_ctx: RequestContext, uuid: string, displayName?: string | null): Promise<ContainerStats> {
    const s = await this.call('container', () => this.container(uuid, true).stats({ stream: false }));
    return toContainerStats(displayName || containerName(uuid), s);
  }

  async getArchive(_ctx: RequestContext, uuid: string, path: string): Promise<ArchiveResult> {
    const res = (await this.call('path', () => this.container(uuid, true).getArchive({ path }))) as unknown as IncomingMessage;
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const header = res.headers?.['x-docker-container-path-stat'];
    let stat: ArchiveStat = { name: path.split('/').pop() ?? path, size: 0, mode: 0, mtime: '', linkTarget: '' };
    if (typeof header === 'string') {
      try {
        stat = { ...stat, ...(JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Partial<ArchiveStat>) };
      } catch {
        // a malformed header leaves the defaults; the tar itself is what matters
      }
    }
    return { data: Buffer.concat(chunks), stat };
  }

  async putArchive(_ctx: RequestContext, uuid: string, path: string, data: Uint8Array): Promise<void> {
    await this.call('path', () => this.container(uuid, true).putArchive(Buffer.from(data), { path }));
  }

  async commit(ctx: RequestContext, uuid: string, req: CommitRequest): Promise<CommitResult> {
    const tag = req.tag && req.tag !== 'None' ? req.tag : 'latest';
    const res = (await this.call('container', () => this.container(uuid, true).commit({ repo: req.repository, tag, pause: true }))) as { Id?: string };
    if (!res.Id) throw new DockerError(`Commit of container ${uuid} returned no image id`);
    this.log.info('container committed', { requestId: ctx.requestId, containerUuid: uuid, image: `${req.repository}:${tag}` });
    return { image_id: res.Id, ref: `${req.repository}:${tag}` };
  }

  async pullImage(ctx: RequestContext, req: ImagePullRequest): Promise<ImagePullResult> {
    const resolved = resolveImage(req.image, { registryDomain: req.registry?.domain ?? null, defaultRegistry: this.opts.defaultRegistry });
    const policy = effectivePullPolicy(req.image_pull_policy, resolved.tag);
    const auth = this.authFor(resolved.repo, req);
    const local = await this.findImage(resolved.ref);
    let decision = decidePull(policy, local !== null);
    // `always` for an image the host has: when the registry's tag still names it, the pull would change nothing.
    const asked = Date.now();
    if (decision === 'pull' && local && (await this.freshness.unchanged(resolved, local.RepoDigests, auth))) {
      decision = 'use-local';
      this.log.info('image up to date', { requestId: ctx.requestId, image: resolved.ref, ms: Date.now() - asked });
    }
    if (decision === 'missing') throw new ImageNotFound(`Image ${resolved.repo} not present with pull policy of Never`);
    let info = local;
    if (decision === 'pull') {
      await this.pull(ctx, resolved.repo, resolved.digest ?? resolved.tag ?? 'latest', auth);
      info = await this.findImage(resolved.ref);
      if (!info) throw new ImageNotFound(`Image ${resolved.ref} is not on the host after pulling it`);
    }
    if (!info) throw new ImageNotFound(`Image ${resolved.ref} not found`);
    return {
      repo: resolved.repo,
      tag: resolved.tag,
      ref: resolved.ref,
      image_id: info.Id,
      size: info.Size,
      pulled: decision === 'pull',
      driver: 'docker',
    };
  }

  private authFor(repo: string, req: ImagePullRequest): PullAuth | undefined {
    const domain = repo.includes('/') ? repo.slice(0, repo.indexOf('/')) : '';
    if (req.registry?.username) {
      return { username: req.registry.username, password: req.registry.password ?? '', serveraddress: req.registry.domain };
    }
    const creds = this.opts.defaultRegistryCredentials;
    if (creds && this.opts.defaultRegistry && domain === this.opts.defaultRegistry) {
      return { username: creds.username, password: creds.password, serveraddress: domain };
    }
    return undefined;
  }

  private async pull(ctx: RequestContext, repo: string, tagOrDigest: string, auth: PullAuth | undefined): Promise<void> {
    const started = Date.now();
    const stream = await this.call('image', () =>
      auth
        ? this.slowApi.createImage(auth, { fromImage: repo, tag: tagOrDigest })
        : this.slowApi.createImage({ fromImage: repo, tag: tagOrDigest }),
    );
    // Errors after the 200 arrive inside the progress stream.
    const problems = await new Promise<string[]>((resolve, reject) => {
      const found: string[] = [];
      this.slowApi.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(toZunError(err, 'image')) : resolve(found)),
        (event: { error?: string; errorDetail?: { message?: string } }) => {
          if (event.error) found.push(event.errorDetail?.message ?? event.error);
        },
      );
    });
    if (problems.length) {
      const detail = problems.join('; ');
      if (/not found|manifest unknown|does not exist|no such/i.test(detail)) throw new ImageNotFound(detail);
      throw new DockerError(`Error on pulling image: ${repo}:${tagOrDigest}: ${detail}`);
    }
    this.log.info('image pulled', { requestId: ctx.requestId, image: `${repo}:${tagOrDigest}`, ms: Date.now() - started });
  }

  private async findImage(ref: string): Promise<Docker.ImageInspectInfo | null> {
    try {
      return await this.api.getImage(ref).inspect();
    } catch (err) {
      if (dockerStatusCode(err) === 404) return null;
      throw toZunError(err, 'image');
    }
  }

  async loadImage(ctx: RequestContext, archive: Readable): Promise<ImageLoadResult> {
    const started = Date.now();
    const r = await loadImageArchive(this.slowApi, archive);
    this.log.info('image loaded', { requestId: ctx.requestId, imageId: r.image_id, refs: r.refs, ms: Date.now() - started });
    return r;
  }

  saveImage(_ctx: RequestContext, ref: string): Promise<Readable> {
    return saveImageArchive(this.slowApi, ref);
  }

  tagImage(_ctx: RequestContext, ref: string, repo: string, tag: string): Promise<void> {
    return tagImage(this.api, ref, repo, tag);
  }

  async imageInspect(_ctx: RequestContext, ref: string): Promise<ImageInfo> {
    const i = await this.call('image', () => this.api.getImage(ref).inspect());
    const e = i.Config?.Entrypoint;
    return {
      id: i.Id,
      repo_tags: i.RepoTags ?? [],
      repo_digests: i.RepoDigests ?? [],
      size: i.Size,
      created: i.Created,
      architecture: i.Architecture,
      os: i.Os,
      command: i.Config?.Cmd ?? null,
      entrypoint: e === undefined || e === null ? null : typeof e === 'string' ? [e] : e,
      workdir: i.Config?.WorkingDir || null,
      exposed_ports: portsOf(i.Config?.ExposedPorts),
      labels: { ...(i.Config?.Labels ?? {}) },
    };
  }

  async removeImage(_ctx: RequestContext, ref: string, opts: { force?: boolean } = {}): Promise<void> {
    try {
      await this.api.getImage(ref).remove({ force: opts.force ?? false });
    } catch (err) {
      if (dockerStatusCode(err) === 404) return;
      throw toZunError(err, 'image');
    }
  }

  async hostInfo(_ctx: RequestContext): Promise<HostInfo> {
    const info = (await this.call('container', () => this.api.info())) as DockerInfo;
    const rootDir = info.DockerRootDir || '/var/lib/docker';
    return toHostInfo(info, {
      disk_total: await diskTotalGiB(rootDir),
      disk_quota_supported: await this.diskQuotaSupported(info),
    });
  }

  /**
   * Whether the engine enforces a container's disk size: probed once ({@link probeDiskQuota}) and kept for
   * the life of the driver; restart the compute service after changing the engine's storage.
   */
  async diskQuotaSupported(known?: DockerInfo): Promise<boolean> {
    if (!this.diskQuota) {
      const probe = (async () => {
        const info = known ?? ((await this.api.info()) as DockerInfo);
        return probeDiskQuota(this.api, info, this.log);
      })();
      this.diskQuota = probe;
      probe.catch(() => {
        if (this.diskQuota === probe) this.diskQuota = null;
      });
    }
    return this.call('container', () => this.diskQuota as Promise<boolean>);
  }

  events(onEvent: (event: DriverEvent) => void, opts: EventOptions = {}): EventSubscription {
    let closed = false;
    let current: NodeJS.ReadableStream | null = null;
    // Replay from the moment of subscribing, so nothing between this call and the stream opening is lost.
    let sinceMs = Date.now();
    let lastNano = 0;
    let wake: (() => void) | null = null;
    const loop = async (): Promise<void> => {
      let delay = EVENT_RECONNECT_MIN_MS;
      while (!closed) {
        try {
          const stream = await this.slowApi.getEvents({
            since: sinceMs / 1000,
            filters: { type: ['container'], event: [...DOCKER_EVENT_FILTER] },
          });
          current = stream;
          if (closed) break;
          delay = EVENT_RECONNECT_MIN_MS;
          const splitter = new JsonLineSplitter();
          await new Promise<void>((resolve) => {
            stream.on('data', (chunk: Buffer) => {
              for (const m of splitter.push(chunk)) {
                const nano = m.timeNano ?? (m.time ?? 0) * 1e9;
                if (nano && nano <= lastNano) continue; // replayed after a reconnect
                if (nano) {
                  lastNano = nano;
                  sinceMs = Math.floor(nano / 1e6);
                }
                const ev = toDriverEvent(m);
                if (ev) {
                  try {
                    onEvent(ev);
                  } catch (err) {
                    this.log.error('event handler failed', { error: String(err), event: ev.type, containerUuid: ev.uuid });
                  }
                }
              }
            });
            stream.once('end', () => resolve());
            stream.once('close', () => resolve());
            stream.once('error', () => resolve());
          });
          if (!closed) opts.onError?.(new DockerError('Docker event stream ended'));
        } catch (err) {
          if (!closed) opts.onError?.(toZunError(err));
        }
        if (closed) break;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, delay);
        });
        wake = null;
        delay = Math.min(delay * 2, EVENT_RECONNECT_MAX_MS);
      }
    };
    const done = loop();
    const sub: EventSubscription = {
      close: async () => {
        if (closed) return done;
        closed = true;
        this.subscriptions.delete(sub);
        const s = current as (NodeJS.ReadableStream & { destroy?: () => void }) | null;
        s?.destroy?.();
        (wake as (() => void) | null)?.();
        await done;
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }
}

/** GiB of the file system holding `dir` (the root file system when `dir` is missing). */
async function diskTotalGiB(dir: string): Promise<number> {
  let s;
  try {
    s = await statfs(dir);
  } catch {
    s = await statfs('/');
  }
  return Math.floor((s.blocks * s.bsize) / 1024 ** 3);
}
