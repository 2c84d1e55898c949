import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { ApiVersion } from '../../http/api-version';
import { sendJsonResponse } from '../../http/error-body';
import { queryParams } from '../../http/query-schema';
import { jsonBody, mergedParams, strictBool, versionOf } from '../../http/request-params.parser';
import { requireContext } from '../../http/request-state';
import { type ApiController, type RouteHandler, type RouteSchemas, type RouteSpec } from '../route-table';
import { ContainerActionService, parseLogsTail } from './container-action.service';
import { validators } from './container.schemas';

const V1_25 = new ApiVersion(1, 25);

function ident(req: Request): string {
  return String(req.params['ident']);
}

/** The per-container operations under `/v1/containers/{id}/…`. */
@injectable()
export class ContainerActionsController implements ApiController {
  constructor(@inject(ContainerActionService) private readonly actions: ContainerActionService) {}

  routes(): RouteSpec[] {
    const item = '/v1/containers/:ident';
    const post = (action: string, handler: RouteHandler, schemas?: RouteSchemas): RouteSpec => ({ method: 'POST', path: `${item}/${action}`, handler, schemas });
    const get = (action: string, handler: RouteHandler, schemas?: RouteSchemas): RouteSpec => ({ method: 'GET', path: `${item}/${action}`, handler, schemas });
    const accepted: RouteHandler = (_req, res) => sendJsonResponse(res, 202, null);
    const wrap = (fn: (req: Request) => Promise<unknown>, status = 200): RouteHandler => async (req, res) => sendJsonResponse(res, status, await fn(req));
    const simple = (action: 'start' | 'pause' | 'unpause'): RouteHandler => async (req, res) => (await this.actions[action](requireContext(req), ident(req)), accepted(req, res));
    return [
      post('start', simple('start')),
      post('stop', async (req, res) => (await this.stop(req), accepted(req, res)), { query: validators.stopQuery }),
      post('reboot', async (req, res) => (await this.reboot(req), accepted(req, res)), { query: validators.rebootQuery }),
      post('pause', simple('pause')),
      post('unpause', simple('unpause')),
      post('kill', async (req, res) => (await this.kill(req), accepted(req, res)), { bodyOrQuery: validators.kill }),
      post('rebuild', async (req, res) => (await this.rebuild(req), accepted(req, res))),
      get('logs', wrap((req) => this.logs(req)), { query: validators.logsQuery }),
      post('execute', wrap((req) => this.execute(req)), { body: validators.executeBody, query: validators.executeQuery }),
      post('execute_resize', wrap((req) => this.executeResize(req)), { query: validators.executeResizeQuery }),
      post('resize', wrap((req) => this.resize(req)), { query: validators.resizeQuery }),
      get('attach', wrap((req) => this.actions.attach(requireContext(req), ident(req)))),
      get('top', wrap((req) => this.top(req)), { query: validators.topQuery }),
      get('stats', wrap((req) => this.actions.stats(requireContext(req), ident(req)))),
      get('get_archive', wrap((req) => this.getArchive(req)), { bodyOrQuery: validators.getArchive }),
      post('put_archive', wrap((req) => this.putArchive(req)), { bodyOrQuery: validators.putArchive }),
      post('commit', wrap((req) => this.commit(req), 202), { query: validators.commitQuery }),
    ];
  }

  private async stop(req: Request): Promise<void> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.stopQuery(q);
    await this.actions.stop(ctx, ident(req), Number(q['timeout'] ?? 0));
  }

  private async reboot(req: Request): Promise<void> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.rebootQuery(q);
    await this.actions.reboot(ctx, ident(req), Number(q['timeout'] ?? 0));
  }

  private async kill(req: Request): Promise<void> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    validators.kill(params);
    const sig = params['signal'];
    await this.actions.kill(ctx, ident(req), sig === undefined || sig === null || sig === 'None' ? null : String(sig));
  }

  private async rebuild(req: Request): Promise<void> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    const image = params['image'] ? String(params['image']) : null;
    const imageDriver = params['image_driver'] ? String(params['image_driver']) : null;
    await this.actions.rebuild(ctx, ident(req), { image, imageDriver });
  }

  private logs(req: Request): Promise<string> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.logsQuery(q);
    const what = 'stdout, stderr and timestamps';
    return this.actions.logs(ctx, ident(req), {
      stdout: q['stdout'] === undefined ? true : strictBool(q['stdout'], what),
      stderr: q['stderr'] === undefined ? true : strictBool(q['stderr'], what),
      timestamps: q['timestamps'] === undefined ? false : strictBool(q['timestamps'], what),
      tail: parseLogsTail(q['tail']),
      since: q['since'],
    });
  }

  /**
   * Zun reads `command`, `run` and `interactive` from the query string (what python-zunclient sends)
   * or from a JSON body. Each source is checked with the same schema, in Zun's wording for that source
   * (body first, so a bad body value is never reported as a query parameter); a `command` in the body
   * satisfies the query's required one. A parameter given in both is taken from the body, the API's
   * rule for merged parameters (Zun itself would hand the handler both values as a list).
   */
  private async execute(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const query = queryParams(req);
    const body = await jsonBody(req);
    validators.executeBody(body);
    validators.executeQuery(body['command'] === undefined ? query : { command: body['command'], ...query });
    const params: Record<string, unknown> = { ...query, ...body };
    const what = 'run or interactive';
    const run = params['run'] === undefined ? true : strictBool(params['run'], what);
    if (params['interactive'] !== undefined) strictBool(params['interactive'], what);
    return this.actions.execute(ctx, ident(req), { command: params['command'] as string, run });
  }

  private async executeResize(req: Request): Promise<null> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.executeResizeQuery(q);
    await this.actions.executeResize(ctx, ident(req), q['exec_id'] as string, Number(q['w']), Number(q['h']));
    return null;
  }

  private async resize(req: Request): Promise<null> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.resizeQuery(q);
    await this.actions.resize(ctx, ident(req), Number(q['w']), Number(q['h']));
    return null;
  }

  private top(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.topQuery(q);
    const ps = q['ps_args'];
    return this.actions.top(ctx, ident(req), ps === undefined || ps === 'None' || ps === '' ? null : ps);
  }

  private async getArchive(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    validators.getArchive(params);
    const r = await this.actions.getArchive(ctx, ident(req), params['path'] as string);
    // Before 1.25 the tar travels as a latin-1 string, from 1.25 base64-encoded.
    const data = versionOf(req).lt(V1_25) ? Buffer.from(r.data, 'base64').toString('latin1') : r.data;
    return { data, stat: r.stat };
  }

  private async putArchive(req: Request): Promise<null> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    validators.putArchive(params);
    const encoding = versionOf(req).lt(V1_25) ? 'latin1' : 'base64';
    await this.actions.putArchive(ctx, ident(req), { path: params['path'] as string, data: params['data'] as string, encoding });
    return null;
  }

  private commit(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.commitQuery(q);
    return this.actions.commit(ctx, ident(req), q['repository'] as string, q['tag'] ?? null);
  }
}
