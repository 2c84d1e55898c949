import { type Request, type Response } from 'express';
import { inject, injectable } from 'inversify';
import { sendJsonResponse } from '../../http/error-body';
import { queryParams } from '../../http/query-schema';
import { jsonBody, requireJsonContentType } from '../../http/request-params.parser';
import { requestState, requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { volumeValidators } from './volume.schemas';
import { type CreateVolumeRequest, VolumeService } from './volume.service';

/** A schema-valid create body in its stored types. */
export function parseCreateVolume(body: Readonly<Record<string, unknown>>, hostUrl: string): CreateVolumeRequest {
  const name = body['name'];
  return {
    name: typeof name === 'string' ? name : null,
    size: Number(body['size']),
    shareable: body['shareable'] === true,
    hostUrl,
  };
}

/** `/v1/volumes` and `/v1/volumes/{uuid or name}`: create, list, show, delete. */
@injectable()
export class VolumesController implements ApiController {
  constructor(@inject(VolumeService) private readonly volumes: VolumeService) {}

  routes(): RouteSpec[] {
    const base = '/v1/volumes';
    const item = `${base}/:ident`;
    return [
      { method: 'POST', path: base, handler: (req, res) => this.create(req, res), schemas: { body: volumeValidators.create, example: { name: 'data', size: 1 } } },
      { method: 'GET', path: base, handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) },
      { method: 'GET', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.show(req)) },
      { method: 'DELETE', path: item, handler: (req, res) => this.delete(req, res) },
    ];
  }

  private ident(req: Request): string {
    return String(req.params['ident']);
  }

  private async create(req: Request, res: Response): Promise<void> {
    const ctx = requireContext(req);
    requireJsonContentType(req);
    const body = await jsonBody(req);
    volumeValidators.create(body);
    const hostUrl = requestState(req).hostUrl;
    const view = await this.volumes.create(ctx, parseCreateVolume(body, hostUrl));
    res.setHeader('Location', `${hostUrl}/v1/volumes/${String(view['uuid'])}`);
    sendJsonResponse(res, 202, view);
  }

  private list(req: Request): Promise<unknown> {
    return this.volumes.list(requireContext(req), { query: queryParams(req), hostUrl: requestState(req).hostUrl });
  }

  private show(req: Request): Promise<unknown> {
    return this.volumes.show(requireContext(req), this.ident(req), requestState(req).hostUrl);
  }

  private async delete(req: Request, res: Response): Promise<void> {
    await this.volumes.delete(requireContext(req), this.ident(req));
    res.status(204).end();
  }
}
