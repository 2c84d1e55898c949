import { type Request, type Response } from 'express';
import { inject, injectable } from 'inversify';
import { sendJsonResponse } from '../../http/error-body';
import { queryParams } from '../../http/query-schema';
import { jsonBody, requireJsonContentType } from '../../http/request-params.parser';
import { requestState, requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { imageValidators } from './image.schemas';
import { ImageService, type PullImageRequest, type SearchImagesRequest } from './image.service';

/** A schema-valid pull body in the service's terms (`size` and `image_id` are accepted and ignored, as by Zun). */
export function parsePullImage(body: Readonly<Record<string, unknown>>, hostUrl: string): PullImageRequest {
  const tag = body['tag'];
  const policy = body['image_pull_policy'];
  return {
    repo: String(body['repo']),
    tag: typeof tag === 'string' ? tag : null,
    host: String(body['host']),
    imagePullPolicy: typeof policy === 'string' ? policy.toLowerCase() : null,
    hostUrl,
  };
}

/** A schema-valid search query in the service's terms. */
export function parseSearchQuery(term: string, query: Readonly<Record<string, string>>): SearchImagesRequest {
  const driver = query['image_driver'];
  const exact = query['exact_match'];
  return {
    term,
    imageDriver: driver && driver !== 'None' ? driver : null,
    exact: exact === 'True' || exact === 'true',
  };
}

/** `/v1/images`, `/v1/images/{uuid}` and `/v1/images/{term}/search`. */
@injectable()
export class ImagesController implements ApiController {
  constructor(@inject(ImageService) private readonly images: ImageService) {}

  /** Express matches `/v1/images/` (the client's spelling) on `/v1/images`: routes are not strict. */
  routes(): RouteSpec[] {
    const base = '/v1/images';
    const item = `${base}/:ident`;
    return [
      { method: 'POST', path: base, handler: (req, res) => this.pull(req, res), schemas: { body: imageValidators.pull } },
      { method: 'GET', path: base, handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) },
      { method: 'GET', path: `${item}/search`, handler: async (req, res) => sendJsonResponse(res, 200, await this.search(req)), schemas: { query: imageValidators.searchQuery } },
      { method: 'GET', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.show(req)) },
      { method: 'DELETE', path: item, handler: (req, res) => this.delete(req, res) },
    ];
  }

  private ident(req: Request): string {
    return String(req.params['ident']);
  }

  private async pull(req: Request, res: Response): Promise<void> {
    const ctx = requireContext(req);
    requireJsonContentType(req);
    const body = await jsonBody(req);
    imageValidators.pull(body);
    const hostUrl = requestState(req).hostUrl;
    const view = await this.images.pull(ctx, parsePullImage(body, hostUrl));
    res.setHeader('Location', `${hostUrl}/v1/images/${String(view['uuid'])}`);
    sendJsonResponse(res, 202, view);
  }

  private list(req: Request): Promise<unknown> {
    return this.images.list(requireContext(req), queryParams(req), requestState(req).hostUrl);
  }

  private show(req: Request): Promise<unknown> {
    return this.images.show(requireContext(req), this.ident(req), requestState(req).hostUrl);
  }

  private search(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const query = queryParams(req);
    imageValidators.searchQuery(query);
    return this.images.search(ctx, parseSearchQuery(this.ident(req), query));
  }

  private async delete(req: Request, res: Response): Promise<void> {
    await this.images.delete(requireContext(req), this.ident(req));
    sendJsonResponse(res, 200, null);
  }
}
