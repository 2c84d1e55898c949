import { type Request, type Response } from 'express';
import { inject, injectable } from 'inversify';
import { ApiVersion } from '../../http/api-version';
import { sendJsonBytes, sendJsonResponse } from '../../http/error-body';
import { queryParams } from '../../http/query-schema';
import {
  isAllProjects, jsonBody, mergedParams, requireJsonContentType, strictBool, versionOf,
} from '../../http/request-params.parser';
import { requestState, requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { type ContainerUpdate } from './container.requests';
import { createBodyValidators, createValidatorFor, validators } from './container.schemas';
import { ContainerService } from './container.service';
import { networksView } from './container.view';

/** The body `zun run --name hello busybox echo hello` sends at 1.40. */
const CREATE_EXAMPLE = { name: 'hello', image: 'busybox', command: ['echo', 'hello'], environment: {}, labels: {}, nets: [], mounts: [] };

/** Schema-checked PATCH / resize_container parameters in their stored types. */
function parseUpdate(params: Readonly<Record<string, unknown>>): ContainerUpdate {
  const out: ContainerUpdate = {};
  // A null value means "leave it" (Zun would fail or store the text "None").
  if (params['cpu'] !== undefined && params['cpu'] !== null) out.cpu = Number(params['cpu']);
  if (params['memory'] !== undefined && params['memory'] !== null) out.memory = String(params['memory']).trim();
  if (params['name'] !== undefined && params['name'] !== null) out.name = String(params['name']);
  if (params['auto_heal'] !== undefined && params['auto_heal'] !== null) out.auto_heal = strictBool(params['auto_heal'], 'auto_heal');
  return out;
}

/** `/v1/containers` and `/v1/containers/{id}`: create, list, show, update, delete, rename, resize_container, network_list. */
@injectable()
export class ContainersController implements ApiController {
  constructor(@inject(ContainerService) private readonly containers: ContainerService) {}

  routes(): RouteSpec[] {
    const base = '/v1/containers';
    const item = `${base}/:ident`;
    return [
      { method: 'POST', path: base, handler: (req, res) => this.create(req, res), schemas: { body: createBodyValidators, query: validators.createQuery, example: CREATE_EXAMPLE } },
      { method: 'GET', path: base, handler: async (req, res) => sendJsonBytes(res, 200, await this.list(req)) },
      { method: 'GET', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.show(req)) },
      { method: 'PATCH', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.update(req)), schemas: { bodyOrQuery: validators.update } },
      { method: 'DELETE', path: item, handler: (req, res) => this.delete(req, res), schemas: { query: validators.deleteQuery } },
      { method: 'POST', path: `${item}/rename`, maxVersion: new ApiVersion(1, 13), schemas: { query: validators.renameQuery }, handler: async (req, res) => sendJsonResponse(res, 200, await this.rename(req)) },
      { method: 'POST', path: `${item}/resize_container`, minVersion: new ApiVersion(1, 19), schemas: { bodyOrQuery: validators.update }, handler: async (req, res) => sendJsonResponse(res, 202, await this.resizeContainer(req)) },
      { method: 'GET', path: `${item}/network_list`, minVersion: new ApiVersion(1, 13), handler: async (req, res) => sendJsonResponse(res, 200, await this.networkList(req)) },
    ];
  }

  private ident(req: Request): string {
    return String(req.params['ident']);
  }

  private async create(req: Request, res: Response): Promise<void> {
    const ctx = requireContext(req);
    const version = versionOf(req);
    requireJsonContentType(req);
    const query = queryParams(req);
    validators.createQuery(query);
    const { run, ...params } = { ...query, ...(await jsonBody(req)) };
    createValidatorFor(version)(params);
    const hostUrl = requestState(req).hostUrl;
    const created = await this.containers.create(ctx, { params, run, version, hostUrl });
    res.setHeader('Location', `${hostUrl}/v1/containers/${created.container.uuid}`);
    sendJsonResponse(res, 202, created.view);
  }

  /** The page as JSON bytes (rendered views are kept between requests). */
  private list(req: Request): Promise<Buffer> {
    return this.containers.list(requireContext(req), { query: queryParams(req), version: versionOf(req), hostUrl: requestState(req).hostUrl });
  }

  private show(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const allProjects = isAllProjects(queryParams(req));
    return this.containers.show(ctx, { ident: this.ident(req), allProjects, version: versionOf(req), hostUrl: requestState(req).hostUrl });
  }

  private async update(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    validators.update(params);
    return this.containers.update(ctx, { ident: this.ident(req), update: parseUpdate(params), version: versionOf(req), hostUrl: requestState(req).hostUrl });
  }

  private async delete(req: Request, res: Response): Promise<void> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.deleteQuery(q);
    const allProjects = isAllProjects(q);
    const what = 'force or stop';
    const force = q['force'] === undefined ? false : strictBool(q['force'], what);
    const stop = q['stop'] === undefined ? false : strictBool(q['stop'], what);
    await this.containers.delete(ctx, { ident: this.ident(req), allProjects, force, stop, version: versionOf(req) });
    res.status(204).end();
  }

  private rename(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.renameQuery(q);
    return this.containers.rename(ctx, { ident: this.ident(req), name: q['name'] as string, version: versionOf(req), hostUrl: requestState(req).hostUrl });
  }

  private async resizeContainer(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    validators.update(params);
    return this.containers.resize(ctx, { ident: this.ident(req), update: parseUpdate(params), version: versionOf(req), hostUrl: requestState(req).hostUrl });
  }

  private async networkList(req: Request): Promise<unknown> {
    const addresses = await this.containers.networkList(requireContext(req), this.ident(req));
    return networksView(addresses, versionOf(req));
  }
}
