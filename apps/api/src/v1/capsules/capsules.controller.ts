import { type Request, type Response } from 'express';
import { inject, injectable } from 'inversify';
import { sendJsonResponse } from '../../http/error-body';
import { queryParams } from '../../http/query-schema';
import { isAllProjects, jsonBody, requireJsonContentType, versionOf } from '../../http/request-params.parser';
import { requestState, requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { type CapsuleItemRequest, CapsuleService } from './capsule.service';
import { validateBody } from './capsule-template';

/** `/v1/capsules/` and `/v1/capsules/{uuid or name}`: create, list, show, delete (the client uses the trailing slash). */
@injectable()
export class CapsulesController implements ApiController {
  constructor(@inject(CapsuleService) private readonly capsules: CapsuleService) {}

  routes(): RouteSpec[] {
    const base = '/v1/capsules';
    const item = `${base}/:ident`;
    // Express routes without strict routing, so `/v1/capsules/` (the client's path) is the same route.
    return [
      { method: 'POST', path: base, handler: (req, res) => this.create(req, res), schemas: { body: validateBody } },
      { method: 'GET', path: base, handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) },
      { method: 'GET', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.capsules.show(requireContext(req), this.item(req))) },
      { method: 'DELETE', path: item, handler: (req, res) => this.delete(req, res) },
    ];
  }

  private item(req: Request): CapsuleItemRequest {
    return { ident: String(req.params['ident']), allProjects: isAllProjects(queryParams(req)), version: versionOf(req), hostUrl: requestState(req).hostUrl };
  }

  private async create(req: Request, res: Response): Promise<void> {
    const ctx = requireContext(req);
    requireJsonContentType(req);
    const body = await jsonBody(req);
    const hostUrl = requestState(req).hostUrl;
    const view = await this.capsules.create(ctx, { body, version: versionOf(req), hostUrl });
    res.setHeader('Location', `${hostUrl}/v1/capsules/${String(view['uuid'])}`);
    sendJsonResponse(res, 202, view);
  }

  private list(req: Request): Promise<unknown> {
    return this.capsules.list(requireContext(req), { query: queryParams(req), version: versionOf(req), hostUrl: requestState(req).hostUrl });
  }

  private async delete(req: Request, res: Response): Promise<void> {
    await this.capsules.delete(requireContext(req), this.item(req));
    res.status(204).end();
  }
}
