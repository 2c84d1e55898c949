import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { InvalidValue, type RequestContext, splitShellWords } from '@zun-ts/common';
import { type Container } from '@zun-ts/objects';
import { type ComputeCastName } from '@zun-ts/rpc';
import { ApiVersion } from '../../http/api-version';
import { sendJsonResponse } from '../../http/error-body';
import { requireContext } from '../../http/request-state';
import { queryParams } from '../query-schema';
import { type ApiController, type RouteHandler, type RouteSpec } from '../route-table';
import { Base64Exception, NoInteractiveFlag, ValidationError } from './container.errors';
import { validators } from './container.schemas';
import { type AsyncOperation, ContainerService } from './container.service';
import { type StateCheckedAction, validateContainerState } from './container-states.table';
import { IMAGE_DRIVERS } from './parameter-types.schema';
import { mergedParams, strictBool, versionOf } from './request-params.parser';

const V1_25 = new ApiVersion(1, 25);
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

/** The per-container operations under `/v1/containers/{id}/…`. */
@injectable()
export class ContainerActionsController implements ApiController {
  constructor(@inject(ContainerService) private readonly svc: ContainerService) {}

  routes(): RouteSpec[] {
    const item = '/v1/containers/:ident';
    const post = (action: string, handler: RouteHandler): RouteSpec => ({ method: 'POST', path: `${item}/${action}`, handler });
    const get = (action: string, handler: RouteHandler): RouteSpec => ({ method: 'GET', path: `${item}/${action}`, handler });
    const accepted: RouteHandler = (_req, res) => sendJsonResponse(res, 202, null);
    const wrap = (fn: (req: Request) => Promise<unknown>, status = 200): RouteHandler => async (req, res) => sendJsonResponse(res, status, await fn(req));
    return [
      post('start', async (req, res) => (await this.start(req), accepted(req, res))),
      post('stop', async (req, res) => (await this.stop(req), accepted(req, res))),
      post('reboot', async (req, res) => (await this.reboot(req), accepted(req, res))),
      post('pause', async (req, res) => (await this.simple(req, 'pause', 'container_pausing', 'containerPause'), accepted(req, res))),
      post('unpause', async (req, res) => (await this.simple(req, 'unpause', 'container_unpausing', 'containerUnpause'), accepted(req, res))),
      post('kill', async (req, res) => (await this.kill(req), accepted(req, res))),
      post('rebuild', async (req, res) => (await this.rebuild(req), accepted(req, res))),
      get('logs', wrap((req) => this.logs(req))),
      post('execute', wrap((req) => this.execute(req))),
      post('execute_resize', wrap((req) => this.executeResize(req))),
      post('resize', wrap((req) => this.resize(req))),
      get('attach', wrap((req) => this.attach(req))),
      get('top', wrap((req) => this.top(req))),
      get('stats', wrap((req) => this.stats(req))),
      get('get_archive', wrap((req) => this.getArchive(req))),
      post('put_archive', wrap((req) => this.putArchive(req))),
      post('commit', wrap((req) => this.commit(req), 202)),
    ];
  }

  /** Lookup (404/409), policy `container:<rule>` on the container, then the state check. */
  private async load(ctx: RequestContext, req: Request, rule: string, check: StateCheckedAction): Promise<Container> {
    const c = await this.svc.get(ctx, String(req.params['ident']));
    this.svc.authorizeOn(ctx, `container:${rule}`, c);
    validateContainerState(c, check);
    return c;
  }

  private async cast<M extends ComputeCastName>(ctx: RequestContext, c: Container, op: AsyncOperation<M>): Promise<void> {
    this.svc.requireHost(c);
    await this.svc.castOperation(ctx, c, op);
  }

  private async start(req: Request): Promise<void> {
    await this.simple(req, 'start', 'container_starting', 'containerStart');
  }

  private async simple(req: Request, action: 'start' | 'pause' | 'unpause', taskState: 'container_starting' | 'container_pausing' | 'container_unpausing', method: 'containerStart' | 'containerPause' | 'containerUnpause'): Promise<void> {
    const ctx = requireContext(req);
    const c = await this.load(ctx, req, action, action);
    await this.cast(ctx, c, { check: action, action, taskState, method, args: { container_uuid: c.uuid } });
  }

  private async stop(req: Request): Promise<void> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.stopQuery(q);
    const c = await this.load(ctx, req, 'stop', 'stop');
    const timeout = Number(q['timeout'] ?? 0) || DEFAULT_STOP_TIMEOUT;
    await this.cast(ctx, c, { check: 'stop', action: 'stop', taskState: 'container_stopping', method: 'containerStop', args: { container_uuid: c.uuid, timeout } });
  }

  private async reboot(req: Request): Promise<void> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.rebootQuery(q);
    const c = await this.load(ctx, req, 'reboot', 'reboot');
    const timeout = Number(q['timeout'] ?? 0) || DEFAULT_STOP_TIMEOUT;
    await this.cast(ctx, c, {
      check: 'reboot',
      action: 'reboot',
      taskState: 'container_rebooting',
      patch: { status: 'Restarting' },
      method: 'containerReboot',
      args: { container_uuid: c.uuid, timeout },
    });
  }

  private async kill(req: Request): Promise<void> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    validators.kill(params);
    const c = await this.load(ctx, req, 'kill', 'kill');
    const sig = params['signal'];
    const signal = sig === undefined || sig === null || sig === 'None' ? null : String(sig);
    await this.cast(ctx, c, { check: 'kill', action: 'kill', taskState: 'container_killing', method: 'containerKill', args: { container_uuid: c.uuid, signal } });
  }

  private async rebuild(req: Request): Promise<void> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    const c = await this.load(ctx, req, 'rebuild', 'rebuild');
    const image = params['image'] ? String(params['image']) : null;
    const driver = params['image_driver'] ? String(params['image_driver']) : null;
    if (driver !== null && !(IMAGE_DRIVERS as readonly string[]).includes(driver)) {
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

  private async logs(req: Request): Promise<string> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.logsQuery(q);
    const c = await this.load(ctx, req, 'logs', 'logs');
    const what = 'stdout, stderr and timestamps';
    const stdout = q['stdout'] === undefined ? true : strictBool(q['stdout'], what);
    const stderr = q['stderr'] === undefined ? true : strictBool(q['stderr'], what);
    const timestamps = q['timestamps'] === undefined ? false : strictBool(q['timestamps'], what);
    const since = parseLogsSince(q['since']);
    return this.svc.callCompute(ctx, c, 'containerLogs', { container_uuid: c.uuid, stdout, stderr, timestamps, tail: parseLogsTail(q['tail']), since });
  }

  private async execute(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.executeQuery(q);
    const c = await this.load(ctx, req, 'execute', 'execute');
    const what = 'run or interactive';
    const run = q['run'] === undefined ? true : strictBool(q['run'], what);
    if (q['interactive'] !== undefined) strictBool(q['interactive'], what);
    const command = splitShellWords(q['command'] as string);
    if (!command.length) throw new InvalidValue(`Invalid command: ${q['command'] as string}`);
    // Without `run` the exec is only created, for the client to attach to through the websocket proxy.
    const r = await this.svc.callCompute(ctx, c, 'containerExec', { container_uuid: c.uuid, command, interactive: !run });
    const proxyUrl = r.token ? `${this.svc.conf.websocket_proxy.base_url}?token=${r.token}&uuid=${c.uuid}&exec_id=${r.exec_id ?? ''}` : null;
    return { output: r.output, exit_code: r.exit_code, exec_id: r.exec_id, proxy_url: proxyUrl };
  }

  private async executeResize(req: Request): Promise<null> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.executeResizeQuery(q);
    const c = await this.load(ctx, req, 'execute_resize', 'execute_resize');
    await this.svc.callCompute(ctx, c, 'containerExecResize', {
      container_uuid: c.uuid,
      exec_id: q['exec_id'] as string,
      width: Number(q['w']),
      height: Number(q['h']),
    });
    return null;
  }

  /** The TTY of the attach session follows the client's window (the client calls this on every SIGWINCH). */
  private async resize(req: Request): Promise<null> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.resizeQuery(q);
    const c = await this.load(ctx, req, 'resize', 'resize');
    await this.svc.callCompute(ctx, c, 'containerResize', { container_uuid: c.uuid, width: Number(q['w']), height: Number(q['h']) });
    return null;
  }

  /**
   * The console URL of the container (a JSON string): the compute host mints a new token (the previous one no
   * longer opens a session) which zun-wsproxy checks against the record before relaying to the host.
   */
  private async attach(req: Request): Promise<string> {
    const ctx = requireContext(req);
    const c = await this.load(ctx, req, 'attach', 'attach');
    if (!c.interactive) throw new NoInteractiveFlag();
    const r = await this.svc.callCompute(ctx, c, 'containerAttach', { container_uuid: c.uuid });
    return `${this.svc.conf.websocket_proxy.base_url}?token=${encodeURIComponent(r.token)}&uuid=${c.uuid}`;
  }

  private async top(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.topQuery(q);
    const c = await this.load(ctx, req, 'top', 'top');
    const ps = q['ps_args'];
    return this.svc.callCompute(ctx, c, 'containerTop', { container_uuid: c.uuid, ps_args: ps === undefined || ps === 'None' || ps === '' ? null : ps });
  }

  private async stats(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const c = await this.load(ctx, req, 'stats', 'stats');
    return this.svc.callCompute(ctx, c, 'containerStats', { container_uuid: c.uuid });
  }

  private async getArchive(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    validators.getArchive(params);
    const c = await this.load(ctx, req, 'get_archive', 'get_archive');
    const r = await this.svc.callCompute(ctx, c, 'containerGetArchive', { container_uuid: c.uuid, path: params['path'] as string });
    // Before 1.25 the tar travels as a latin-1 string, from 1.25 base64-encoded.
    const data = versionOf(req).lt(V1_25) ? Buffer.from(r.data, 'base64').toString('latin1') : r.data;
    return { data, stat: r.stat };
  }

  private async putArchive(req: Request): Promise<null> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    validators.putArchive(params);
    const c = await this.load(ctx, req, 'put_archive', 'put_archive');
    const raw = params['data'] as string;
    const data = versionOf(req).lt(V1_25) ? Buffer.from(raw, 'latin1').toString('base64') : checkBase64(raw);
    await this.svc.callCompute(ctx, c, 'containerPutArchive', { container_uuid: c.uuid, path: params['path'] as string, data });
    return null;
  }

  private async commit(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.commitQuery(q);
    const c = await this.load(ctx, req, 'commit', 'commit');
    await this.svc.upHost(c);
    await this.svc.recordAction(ctx, c, 'commit');
    const r = await this.svc.callCompute(ctx, c, 'containerCommit', { container_uuid: c.uuid, repository: q['repository'] as string, tag: q['tag'] ?? null });
    return { uuid: r.image_id };
  }
}
