import { inject, injectable, type ServiceIdentifier } from 'inversify';
import { InvalidValue, NotImplementedYet, type RequestContext } from '@zun-ts/common';
import { CONTAINER_DRIVER, type ContainerDriver } from '@zun-ts/compute-driver';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import { type Container, CONTAINER_TYPES, type Image } from '@zun-ts/objects';
import {
  type ComputeRpcApi,
  type ContainerArchiveRequest,
  type ContainerAttachResult,
  type ContainerCommitRequest,
  type ContainerCreateRequest,
  type ContainerExecRequest,
  type ContainerExecResult,
  type ContainerLogsRequest,
  type ContainerRef,
  type TtySize,
} from '@zun-ts/rpc';
import { type CapsuleBuilder } from './capsule-builder';
import { type ComputeConsole } from './compute-console.service';
import { EVENTS } from './container-builder';
import { ContainerOperations } from './container-operations';
import { type ImageOperations } from './image-operations';
import { type GlanceCommit } from './glance-commit';

/** What a host may or may not do beside the container lifecycle; each is absent where it is not bound. */
export interface ComputeFeatures {
  /** Interactive attach and exec (consoles through zun-wsproxy). */
  console?: Pick<ComputeConsole, 'attach' | 'exec'>;
  /** `zun pull` and `zun image-delete` on this host. */
  images?: Pick<ImageOperations, 'pull' | 'delete'>;
  /** `zun commit` into Glance, when `glance` is in image_driver_list. */
  glanceCommit?: Pick<GlanceCommit, 'commit'>;
  /** Capsules, built whole on this host. */
  capsules?: Pick<CapsuleBuilder, 'create' | 'delete'>;
}

/** Injection token of the host's {@link ComputeFeatures}. */
export const COMPUTE_FEATURES: ServiceIdentifier<ComputeFeatures> = Symbol.for('zun.ComputeFeatures');

/**
 * The compute host's RPC handlers, on topic `compute.<host>`. Casts change containers (each under a
 * per-container lock, outcomes saved through the conductor); calls answer the API synchronously.
 * The RPC server serves exactly the COMPUTE descriptor's methods and validates their args before they get here.
 */
@injectable()
export class ComputeManager implements ComputeRpcApi {
  constructor(
    @inject(ZUN_CONF) private readonly conf: Pick<ZunConf, 'DEFAULT'>,
    @inject(CONTAINER_DRIVER) private readonly driver: ContainerDriver,
    @inject(ContainerOperations) private readonly ops: ContainerOperations,
    @inject(COMPUTE_FEATURES) private readonly features: ComputeFeatures = {},
  ) {}

  async ping(_ctx: RequestContext, _args: Record<string, never>): Promise<{ host: string }> {
    return { host: this.conf.DEFAULT.host };
  }

  /** A capsule row (the conductor casts its create like a container's) is built whole by the capsule builder. */
  containerCreate(ctx: RequestContext, args: ContainerCreateRequest): Promise<void> {
    if (args.container?.container_type === CONTAINER_TYPES.capsule && this.features.capsules) return this.features.capsules.create(ctx, args);
    return this.ops.create(ctx, args);
  }

  containerStart(ctx: RequestContext, args: ContainerRef): Promise<void> {
    return this.ops.act(ctx, args.container_uuid, {
      event: EVENTS.start,
      task: 'container_starting',
      result: 'Running',
      call: (c) => this.driver.start(ctx, c.uuid),
      mounts: true,
    });
  }

  containerStop(ctx: RequestContext, args: ContainerRef & { timeout: number }): Promise<void> {
    return this.ops.act(ctx, args.container_uuid, {
      event: EVENTS.stop,
      task: 'container_stopping',
      result: 'Stopped',
      call: (c) => this.driver.stop(ctx, c.uuid, args.timeout),
    });
  }

  containerReboot(ctx: RequestContext, args: ContainerRef & { timeout: number }): Promise<void> {
    return this.ops.act(ctx, args.container_uuid, {
      event: EVENTS.reboot,
      task: 'container_rebooting',
      result: 'Running',
      call: (c) => this.driver.reboot(ctx, c.uuid, args.timeout),
      mounts: true,
    });
  }

  containerPause(ctx: RequestContext, args: ContainerRef): Promise<void> {
    return this.ops.act(ctx, args.container_uuid, {
      event: EVENTS.pause,
      task: 'container_pausing',
      result: 'Paused',
      call: (c) => this.driver.pause(ctx, c.uuid),
    });
  }

  containerUnpause(ctx: RequestContext, args: ContainerRef): Promise<void> {
    return this.ops.act(ctx, args.container_uuid, {
      event: EVENTS.unpause,
      task: 'container_unpausing',
      result: 'Running',
      call: (c) => this.driver.unpause(ctx, c.uuid),
    });
  }

  /** Zun records Stopped after a kill whatever the signal; the sync corrects it if the process lives on. */
  containerKill(ctx: RequestContext, args: ContainerRef & { signal: string | null }): Promise<void> {
    return this.ops.act(ctx, args.container_uuid, {
      event: EVENTS.kill,
      task: 'container_killing',
      result: 'Stopped',
      call: (c) => this.driver.kill(ctx, c.uuid, args.signal),
    });
  }

  /** A capsule goes with its members, sandbox and volumes; anything else is deleted as a container. */
  async containerDelete(ctx: RequestContext, args: ContainerRef & { force: boolean; stop: boolean }): Promise<void> {
    if (this.features.capsules && (await this.features.capsules.delete(ctx, args.container_uuid))) return;
    return this.ops.delete(ctx, args.container_uuid, { force: args.force, stop: args.stop });
  }

  containerRebuild(ctx: RequestContext, args: ContainerRef & { image: string | null; run: boolean }): Promise<void> {
    return this.ops.rebuild(ctx, args.container_uuid, { image: args.image, run: args.run });
  }

  /** Changes the engine limits, then the record (the claim on the host is not resized). */
  containerUpdate(ctx: RequestContext, args: ContainerRef & { cpu: number | null; memory: string | null }): Promise<Container> {
    return this.ops.update(ctx, args.container_uuid, { cpu: args.cpu, memory: args.memory });
  }

  containerLogs(ctx: RequestContext, args: ContainerLogsRequest): Promise<string> {
    return this.ops.query(ctx, args.container_uuid, (c) =>
      this.driver.logs(ctx, c.uuid, {
        stdout: args.stdout,
        stderr: args.stderr,
        timestamps: args.timestamps,
        tail: /^\d+$/.test(args.tail) ? Number(args.tail) : 'all',
        since: parseSince(args.since),
      }),
    );
  }

  /** An interactive exec is only created here, and gets a console token: the relay starts it when zun-wsproxy connects. */
  containerExec(ctx: RequestContext, args: ContainerExecRequest): Promise<ContainerExecResult> {
    return this.ops.query(ctx, args.container_uuid, async (c) => {
      const r = await this.driver.execute(ctx, c.uuid, { command: args.command, run: !args.interactive, interactive: args.interactive });
      const token = args.interactive && r.exec_id ? await consoleOf(this.features.console).exec(ctx, c, r.exec_id) : null;
      return { output: r.output, exit_code: r.exit_code, exec_id: r.exec_id, token };
    });
  }

  containerAttach(ctx: RequestContext, args: ContainerRef): Promise<ContainerAttachResult> {
    return this.ops.query(ctx, args.container_uuid, (c) => consoleOf(this.features.console).attach(ctx, c));
  }

  /** A container without a TTY has nothing to resize (Docker would refuse): the client's resize is a no-op. */
  containerResize(ctx: RequestContext, args: ContainerRef & TtySize): Promise<void> {
    return this.ops.query(ctx, args.container_uuid, async (c) => {
      if (c.tty) await this.driver.resize(ctx, c.uuid, { width: args.width, height: args.height });
    });
  }

  containerExecResize(ctx: RequestContext, args: ContainerRef & { exec_id: string; width: number; height: number }): Promise<void> {
    return this.ops.query(ctx, args.container_uuid, () => this.driver.execResize(ctx, args.exec_id, { width: args.width, height: args.height }));
  }

  containerTop(ctx: RequestContext, args: ContainerRef & { ps_args: string | null }): Promise<{ Titles: string[]; Processes: string[][] }> {
    return this.ops.query(ctx, args.container_uuid, (c) => this.driver.top(ctx, c.uuid, args.ps_args));
  }

  containerStats(ctx: RequestContext, args: ContainerRef): Promise<Record<string, unknown>> {
    return this.ops.query(ctx, args.container_uuid, async (c) => ({ ...(await this.driver.stats(ctx, c.uuid, c.name)) }));
  }

  containerGetArchive(ctx: RequestContext, args: ContainerArchiveRequest): Promise<{ data: string; stat: Record<string, unknown> }> {
    return this.ops.query(ctx, args.container_uuid, async (c) => {
      const r = await this.driver.getArchive(ctx, c.uuid, args.path);
      return { data: r.data.toString('base64'), stat: { ...r.stat } };
    });
  }

  containerPutArchive(ctx: RequestContext, args: ContainerArchiveRequest & { data: string }): Promise<void> {
    return this.ops.locked(ctx, args.container_uuid, (c) => this.driver.putArchive(ctx, c.uuid, args.path, Buffer.from(args.data, 'base64')));
  }

  /** Removes a volume of this host that no container mounts (the API set it `deleting`). */
  volumeDelete(ctx: RequestContext, args: { volume_uuid: string }): Promise<void> {
    return this.ops.deleteVolume(ctx, args.volume_uuid);
  }

  networkAttach(ctx: RequestContext, args: ContainerRef & { port_uuid: string }): Promise<void> {
    return this.ops.attachPort(ctx, args.container_uuid, args.port_uuid);
  }

  networkDetach(ctx: RequestContext, args: ContainerRef & { port_uuid: string }): Promise<void> {
    return this.ops.detachPort(ctx, args.container_uuid, args.port_uuid);
  }

  networkUpdatePeers(ctx: RequestContext, args: { network_uuid: string; peers: string[] }): Promise<void> {
    return this.ops.updatePeers(ctx, args.network_uuid, args.peers);
  }

  imagePull(ctx: RequestContext, args: { image: Image; image_pull_policy: string | null }): Promise<void> {
    return this.imageOps().pull(ctx, args.image, args.image_pull_policy);
  }

  imageDelete(ctx: RequestContext, args: { image: Image }): Promise<void> {
    return this.imageOps().delete(ctx, args.image);
  }

  private imageOps(): Pick<ImageOperations, 'pull' | 'delete'> {
    if (!this.features.images) throw new NotImplementedYet('image operations are not bound on this host');
    return this.features.images;
  }

  /** With `glance_image_id`: committed here, then uploaded to that queued Glance image in the background. */
  containerCommit(ctx: RequestContext, args: ContainerCommitRequest): Promise<{ image_id: string }> {
    const glanceImageId = args.glance_image_id;
    if (glanceImageId) {
      if (!this.features.glanceCommit) return Promise.reject(new InvalidValue('The glance image driver is not enabled on this host (image_driver_list).'));
      return this.features.glanceCommit.commit(ctx, { ...args, glance_image_id: glanceImageId });
    }
    return this.ops.recorded(ctx, args.container_uuid, EVENTS.commit, async (c) => {
      const r = await this.driver.commit(ctx, c.uuid, { repository: args.repository, tag: args.tag });
      return { image_id: r.image_id };
    });
  }
}

/** The host's console (a manager built without one, as in unit tests, cannot attach). */
function consoleOf(c: Pick<ComputeConsole, 'attach' | 'exec'> | undefined): Pick<ComputeConsole, 'attach' | 'exec'> {
  if (!c) throw new Error('the console relay of this host is not running');
  return c;
}

/** `since` of a logs request: unix seconds, or an RFC 3339 time; null or unreadable → everything. */
function parseSince(since: string | null): number | Date | null {
  if (since === null || since === '' || since === 'None') return null;
  if (/^\d+(\.\d+)?$/.test(since)) return Math.floor(Number(since));
  const d = new Date(since);
  return Number.isNaN(d.getTime()) ? null : d;
}
