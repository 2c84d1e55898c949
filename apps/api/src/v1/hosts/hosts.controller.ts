import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { ApiVersion } from '../../http/api-version';
import { sendJsonResponse } from '../../http/error-body';
import { queryParams } from '../../http/query-schema';
import { nextLink } from '../../http/request-params.parser';
import { requestState, requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { HostService } from './host.service';
import { hostView } from './host.view';

const V1_4 = new ApiVersion(1, 4);

/** `/v1/hosts` (≥1.4, admin): the compute nodes. */
@injectable()
export class HostsController implements ApiController {
  constructor(@inject(HostService) private readonly hosts: HostService) {}

  routes(): RouteSpec[] {
    return [
      { method: 'GET', path: '/v1/hosts', minVersion: V1_4, handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) },
      { method: 'GET', path: '/v1/hosts/:ident', minVersion: V1_4, handler: async (req, res) => sendJsonResponse(res, 200, await this.show(req)) },
    ];
  }

  private async list(req: Request): Promise<unknown> {
    // Other query parameters are ignored, as in Zun.
    const q = queryParams(req);
    const page = await this.hosts.list(requireContext(req), { limit: q['limit'], sortKey: q['sort_key'], sortDir: q['sort_dir'], marker: q['marker'] });
    const hostUrl = requestState(req).hostUrl;
    return { hosts: page.nodes.map((n) => hostView(n, hostUrl)), next: nextLink(hostUrl, 'hosts', page.nodes, page.limit, page.sortKey, page.sortDir) };
  }

  private async show(req: Request): Promise<unknown> {
    const node = await this.hosts.show(requireContext(req), String(req.params['ident']));
    return hostView(node, requestState(req).hostUrl);
  }
}
