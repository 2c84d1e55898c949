import { inject, injectable, injectFromBase, optional } from 'inversify';
import { ContainerNotFound, InvalidValue, type RequestContext, splitShellWords } from '@zun-ts/common';
import { type Container, CONTAINER_TYPES } from '@zun-ts/objects';
import { type ComputeArgs, type ComputeCallName, type ComputeCastName, type ComputeResult } from '@zun-ts/rpc';
import { Base64Exception, NoInteractiveFlag, ValidationError } from './container.errors';
import { type ExecuteRequest, type LogsRequest, type PutArchiveRequest, type RebuildRequest } from './container.requests';
import { type AsyncOperation, ContainerServiceBase } from './container-service.base';
import { type StateCheckedAction, validateContainerState } from './container-states.table';
import { GLANCE_IMAGES, type GlanceImages } from '../images/glance-images';

/** Docker's own stop/restart timeout, used when the request gives none (or 0, as in Zun). */
const DEFAULT_STOP_TIMEOUT = 10;

/** Zun's logs `since`: epoch seconds, or `YYYY-MM-DD HH:MM:SS,mmm` (UTC); null/`None` for everything. */
export function parseLogsSince(v: unknown): string | null {
  if (v === undefined || v === null || v === 'None' || v === '') return null;
  const s = String(v).trim();
  if (/^[0-9]+$/.test(s)) return String(Number.parseInt(s, 10));
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}),(\d{1,3})$/.exec(s);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(m[3])) {
    throw new InvalidValue(`Invalid since value: ${s}. Give epoch seconds or a time as "YYYY-MM-DD HH:MM:SS,mmm".`);
  }
  return String(ms / 1000 + Number(`0.${m[7] as string}`));
}

/** Zun's logs `tail`: a number of lines, anything else means all. */
export function parseLogsTail(v: unknown): string {
  const s = v === undefined || v === null ? 'all' : String(v).trim();
  return /^[+-]?\d+$/.test(s) ? String(Number.parseInt(s, 10)) : 'all';
}

/** Base64 as Python's b64decode accepts it (padding required); returns it without whitespace. */
export function checkBase64(data: string): string {
  const s = data.replace(/\s+/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new Base64Exception();
  return s;
}

/** The actions without parameters: each casts to the compute host. */
type SimpleAction = 'start' | 'pause' | 'unpause';
const SIMPLE: Record<SimpleAction, { taskState: 'container_starting' | 'container_pausing' | 'container_unpausing'; method: 'containerStart' | 'containerPause' | 'containerUnpause' }> = {
  start: { taskState: 'container_starting', method: 'containerStart' },
  pause: { taskState: 'container_pausing', method: 'containerPause' },
  unpause: { taskState: 'container_unpausing', method: 'containerUnpause' },
};

/**
 * The per-container actions (Zun's compute API for them). Every one looks the container up, checks
 * `container:<action>` on it and its state, then casts (after writing the task state) or calls its host.
 */
@injectable()
@injectFromBase()
export class ContainerActionService extends ContainerServiceBase {
  /** Bound when `glance` is in `image_driver_list`: commits then go to Glance. */
  @inject(GLANCE_IMAGES) @optional() private glanceImages?: GlanceImages;

  /** Lookup (404/409), policy `container:<rule>` on the container, then the state check. */
  private loadFor(ctx: RequestContext, ident: string, action: StateCheckedAction): Promise<Container> {
    return this.load(ctx, ident, `container:${action}`, action);
  }

  /**
   * {@link loadFor} for logs and exec, which also reach the containers of a capsule (`zun exec <member>`): every other
   * container route sees plain containers only, and none sees a capsule itself.
   */
  private async loadReadable(ctx: RequestContext, ident: string, action: 'logs' | 'execute'): Promise<Container> {
    const c = await this.stores.containers.getByIdent({ ...this.itemScope(ctx), containerType: null }, ident);
    if (c.container_type === CONTAINER_TYPES.capsule) throw new ContainerNotFound(`Container ${ident} could not be found.`);
    this.authorizeOn(ctx, `container:${action}`, c);
    validateContainerState(c, action);
    return c;
  }

  private async cast<M extends ComputeCastName>(ctx: RequestContext, c: Container, op: AsyncOperation<M>): Promise<void> {
    this.requireHost(c);
    await this.castOperation(ctx, c, op);
  }

  private async call<M extends ComputeCallName>(ctx: RequestContext, ident: string, action: StateCheckedAction, method: M, args: (c: Container) => ComputeArgs<M>): Promise<ComputeResult<M>> {
    const c = await this.loadFor(ctx, ident, action);
    return this.callCompute(ctx, c, method, args(c));
  }

  start(ctx: RequestContext, ident: string): Promise<void> {
    return this.simple(ctx, ident, 'start');
  }

  pause(ctx: RequestContext, ident: string): Promise<void> {
    return this.simple(ctx, ident, 'pause');
  }

  unpause(ctx: RequestContext, ident: string): Promise<void> {
    return this.simple(ctx, ident, 'unpause');
  }

  /** start, pause and unpause: no parameters, a cast with the container's uuid. */
  private async simple(ctx: RequestContext, ident: string, action: SimpleAction): Promise<void> {
    const c = await this.loadFor(ctx, ident, action);
    const { taskState, method } = SIMPLE[action];
    await this.cast(ctx, c, { check: action, action, taskState, method, args: { container_uuid: c.uuid } });
  }

  /** `timeout` in seconds; 0 or none means Docker's default. */
  async stop(ctx: RequestContext, ident: string, timeout: number): Promise<void> {
    const c = await this.loadFor(ctx, ident, 'stop');
    const args = { container_uuid: c.uuid, timeout: timeout || DEFAULT_STOP_TIMEOUT };
    await this.cast(ctx, c, { check: 'stop', action: 'stop', taskState: 'container_stopping', method: 'containerStop', args });
  }

  async reboot(ctx: RequestContext, ident: string, timeout: number): Promise<void> {
    const c = await this.loadFor(ctx, ident, 'reboot');
    await this.cast(ctx, c, {
      check: 'reboot',
      action: 'reboot',
      taskState: 'container_rebooting',
      patch: { status: 'Restarting' },
      method: 'containerReboot',
      args: { container_uuid: c.uuid, timeout: timeout || DEFAULT_STOP_TIMEOUT },
    });
  }

  async kill(ctx: RequestContext, ident: string, signal: string | null): Promise<void> {
    const c = await this.loadFor(ctx, ident, 'kill');
    await this.cast(ctx, c, { check: 'kill', action: 'kill', taskState: 'container_killing', method: 'containerKill', args: { container_uuid: c.uuid, signal } });
  }

  async rebuild(ctx: RequestContext, ident: string, req: RebuildRequest): Promise<void> {
    const c = await this.loadFor(ctx, ident, 'rebuild');
    const { image, imageDriver: driver } = req;
    if (driver !== null && !this.conf.DEFAULT.image_driver_list.includes(driver)) {
      throw new ValidationError('Invalid input for image_driver, it should be within the image drivers list');
    }
    await this.cast(ctx, c, {
      check: 'rebuild',
      action: 'rebuild',
      taskState: 'container_rebuilding',
      patch: { status: 'Rebuilding', ...(image ? { image } : {}), ...(driver ? { image_driver: driver } : {}) },
      method: 'containerRebuild',
      // Started again afterwards only if it was running.
      args: { container_uuid: c.uuid, image, run: c.status === 'Running' },
    });
  }

  async logs(ctx: RequestContext, ident: string, req: LogsRequest): Promise<string> {
    const c = await this.loadReadable(ctx, ident, 'logs');
    const since = parseLogsSince(req.since);
    const { stdout, stderr, timestamps, tail } = req;
    return this.callCompute(ctx, c, 'containerLogs', { container_uuid: c.uuid, stdout, stderr, timestamps, tail, since });
  }

  /** Runs a command (or, without `run`, creates the exec for the client to attach to through the websocket proxy). */
  async execute(ctx: RequestContext, ident: string, req: ExecuteRequest): Promise<{ output: unknown; exit_code: unknown; exec_id: unknown; proxy_url: string | null }> {
    const c = await this.loadReadable(ctx, ident, 'execute');
    const command = splitShellWords(req.command);
    if (!command.length) throw new InvalidValue(`Invalid command: ${req.command}`);
    const r = await this.callCompute(ctx, c, 'containerExec', { container_uuid: c.uuid, command, interactive: !req.run });
    const proxyUrl = r.token ? `${this.conf.websocket_proxy.base_url}?token=${r.token}&uuid=${c.uuid}&exec_id=${r.exec_id ?? ''}` : null;
    return { output: r.output, exit_code: r.exit_code, exec_id: r.exec_id, proxy_url: proxyUrl };
  }

  async executeResize(ctx: RequestContext, ident: string, execId: string, width: number, height: number): Promise<void> {
    await this.call(ctx, ident, 'execute_resize', 'containerExecResize', (c) => ({ container_uuid: c.uuid, exec_id: execId, width, height }));
  }

  /** The TTY of the attach session follows the client's window (the client calls this on every SIGWINCH). */
  async resize(ctx: RequestContext, ident: string, width: number, height: number): Promise<void> {
    await this.call(ctx, ident, 'resize', 'containerResize', (c) => ({ container_uuid: c.uuid, width, height }));
  }

  /**
   * The console URL of the container: the compute host mints a new token (the previous one no longer
   * opens a session) which zun-wsproxy checks against the record before relaying to the host.
   */
  async attach(ctx: RequestContext, ident: string): Promise<string> {
    const c = await this.loadFor(ctx, ident, 'attach');
    if (!c.interactive) throw new NoInteractiveFlag();
    const r = await this.callCompute(ctx, c, 'containerAttach', { container_uuid: c.uuid });
    return `${this.conf.websocket_proxy.base_url}?token=${encodeURIComponent(r.token)}&uuid=${c.uuid}`;
  }

  top(ctx: RequestContext, ident: string, psArgs: string | null): Promise<ComputeResult<'containerTop'>> {
    return this.call(ctx, ident, 'top', 'containerTop', (c) => ({ container_uuid: c.uuid, ps_args: psArgs }));
  }

  stats(ctx: RequestContext, ident: string): Promise<ComputeResult<'containerStats'>> {
    return this.call(ctx, ident, 'stats', 'containerStats', (c) => ({ container_uuid: c.uuid }));
  }

  /** The tar (base64) and the path's stat. */
  getArchive(ctx: RequestContext, ident: string, path: string): Promise<ComputeResult<'containerGetArchive'>> {
    return this.call(ctx, ident, 'get_archive', 'containerGetArchive', (c) => ({ container_uuid: c.uuid, path }));
  }

  async putArchive(ctx: RequestContext, ident: string, req: PutArchiveRequest): Promise<void> {
    const c = await this.loadFor(ctx, ident, 'put_archive');
    const data = req.encoding === 'latin1' ? Buffer.from(req.data, 'latin1').toString('base64') : checkBase64(req.data);
    await this.callCompute(ctx, c, 'containerPutArchive', { container_uuid: c.uuid, path: req.path, data });
  }

  /**
   * Commits the container to an image; answers the image's id. With the glance image driver enabled, as in Zun, the
   * image is a Glance image made here with the caller's token (queued); the host commits and uploads to it.
   */
  async commit(ctx: RequestContext, ident: string, repository: string, tag: string | null): Promise<{ uuid: string }> {
    const c = await this.loadFor(ctx, ident, 'commit');
    await this.upHost(c);
    const glance = this.glanceImages;
    if (!glance) {
      await this.recordAction(ctx, c, 'commit');
      const r = await this.callCompute(ctx, c, 'containerCommit', { container_uuid: c.uuid, repository, tag });
      return { uuid: r.image_id };
    }
    const image = await glance.createCommitImage(ctx, repository, tag);
    try {
      await this.recordAction(ctx, c, 'commit');
      await this.callCompute(ctx, c, 'containerCommit', { container_uuid: c.uuid, repository, tag, glance_image_id: image.id });
    } catch (err) {
      await glance.deleteImage(ctx, image.id).catch((e: unknown) => this.logger.warn('glance image of a failed commit not deleted', { imageId: image.id, error: String(e) }));
      throw err;
    }
    return { uuid: image.id };
  }
}
