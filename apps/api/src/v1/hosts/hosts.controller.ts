import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { ComputeNodeNotFound } from '@zun-ts/common';
import { isUuidLike } from '@zun-ts/db';
import { ApiVersion } from '../../http/api-version';
import { sendJsonResponse } from '../../http/error-body';
import { requestState, requireContext } from '../../http/request-state';
import { ContainerService } from '../containers/container.service';
import { nextLink, validateLimit, validateSortDir } from '../containers/request-params.parser';
import { queryParams } from '../query-schema';
import { type ApiController, type RouteSpec } from '../route-table';
import { hostView } from './host.view';

const V1_4 = new ApiVersion(1, 4);

/** `/v1/hosts` (≥1.4, admin): the compute nodes. */
@injectable()
export class HostsController implements ApiController {
  constructor(@inject(ContainerService) private readonly svc: ContainerService) {}

  routes(): RouteSpec[] {
    return [
      { method: 'GET', path: '/v1/hosts', minVersion: V1_4, handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) },
      { method: 'GET', path: '/v1/hosts/:ident', minVersion: V1_4, handler: async (req, res) => sendJsonResponse(res, 200, await this.show(req)) },
    ];
  }

  private async list(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    this.svc.authorize(ctx, 'host:get_all');
    // Other query parameters are ignored, as in Zun.
    const q = queryParams(req);
    const limit = validateLimit(q['limit'], this.svc.conf.api.max_limit);
    const sortDir = validateSortDir(q['sort_dir'] ?? 'asc');
    const sortKey = q['sort_key'] ?? 'hostname';
    const marker = q['marker'] || null;
    if (marker) {
      if (!isUuidLike(marker)) throw new ComputeNodeNotFound(`Compute node ${marker} could not be found.`);
      await this.svc.stores.computeNodes.getByIdent(marker);
    }
    const nodes = await this.svc.stores.computeNodes.list({ limit, marker, sortKey, sortDir });
    const hostUrl = requestState(req).hostUrl;
    return { hosts: nodes.map((n) => hostView(n, hostUrl)), next: nextLink(hostUrl, 'hosts', nodes, limit, sortKey, sortDir) };
  }

  private async show(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    this.svc.authorize(ctx, 'host:get');
    const node = await this.svc.stores.computeNodes.getByIdent(String(req.params['ident']));
    return hostView(node, requestState(req).hostUrl);
  }
}
