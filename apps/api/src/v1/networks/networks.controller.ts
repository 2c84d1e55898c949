import { type Request, type Response } from 'express';
import { inject, injectable } from 'inversify';
import { sendJsonResponse } from '../../http/error-body';
import { queryParams } from '../../http/query-schema';
import { jsonBody, requireJsonContentType } from '../../http/request-params.parser';
import { requestState, requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { networkValidators } from './network.schemas';
import { type CreateNetworkRequest, NetworkService } from './network.service';

/** A schema-valid create body in its stored types. */
export function parseCreateNetwork(body: Readonly<Record<string, unknown>>, hostUrl: string): CreateNetworkRequest {
  const gateway = body['gateway'];
  return {
    name: String(body['name']),
    cidr: String(body['cidr']),
    gateway: typeof gateway === 'string' ? gateway : null,
    shared: body['shared'] === true,
    natEgress: body['nat_egress'] !== false,
    hostUrl,
  };
}

/**
 * `/v1/networks` and `/v1/networks/{uuid or name}`: create (201), list, show, delete (204). zun-ts's own
 * resource at every microversion: Zun's POST wraps a Neutron network (admin-only) and its DELETE starts at 1.27.
 */
@injectable()
export class NetworksController implements ApiController {
  constructor(@inject(NetworkService) private readonly networks: NetworkService) {}

  routes(): RouteSpec[] {
    const base = '/v1/networks';
    const item = `${base}/:ident`;
    return [
      { method: 'POST', path: base, handler: (req, res) => this.create(req, res), schemas: { body: networkValidators.create } },
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
    networkValidators.create(body);
    const hostUrl = requestState(req).hostUrl;
    const view = await this.networks.create(ctx, parseCreateNetwork(body, hostUrl));
    res.setHeader('Location', `${hostUrl}/v1/networks/${String(view['uuid'])}`);
    sendJsonResponse(res, 201, view);
  }

  private list(req: Request): Promise<unknown> {
    return this.networks.list(requireContext(req), { query: queryParams(req), hostUrl: requestState(req).hostUrl });
  }

  private show(req: Request): Promise<unknown> {
    return this.networks.show(requireContext(req), this.ident(req), requestState(req).hostUrl);
  }

  private async delete(req: Request, res: Response): Promise<void> {
    await this.networks.delete(requireContext(req), this.ident(req));
    res.status(204).end();
  }
}
