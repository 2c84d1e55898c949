import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { ApiVersion } from '../../http/api-version';
import { sendJsonResponse } from '../../http/error-body';
import { queryParams } from '../../http/query-schema';
import { mergedParams } from '../../http/request-params.parser';
import { requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { validators } from './container.schemas';
import { ContainerNetworkService } from './container-network.service';

const optional = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The network actions under `/v1/containers/{id}/…`: network_detach (≥1.6, 202), network_attach (≥1.8, 200 with
 * a null body as Zun answers), add_security_group / remove_security_group (1.1–1.14, always 400 here).
 * network_list is the container resource's (ContainersController).
 */
@injectable()
export class ContainerNetworksController implements ApiController {
  constructor(@inject(ContainerNetworkService) private readonly networks: ContainerNetworkService) {}

  routes(): RouteSpec[] {
    const item = '/v1/containers/:ident';
    const ident = (req: Request): string => String(req.params['ident']);
    return [
      {
        method: 'POST',
        path: `${item}/network_detach`,
        minVersion: new ApiVersion(1, 6),
        schemas: { query: validators.networkDetachQuery },
        handler: async (req, res) => {
          const q = queryParams(req);
          validators.networkDetachQuery(q);
          await this.networks.detach(requireContext(req), ident(req), { network: optional(q['network']), port: optional(q['port']) });
          sendJsonResponse(res, 202, null);
        },
      },
      {
        method: 'POST',
        path: `${item}/network_attach`,
        minVersion: new ApiVersion(1, 8),
        schemas: { bodyOrQuery: validators.networkAttach },
        handler: async (req, res) => {
          const params = await mergedParams(req);
          validators.networkAttach(params);
          await this.networks.attach(requireContext(req), ident(req), {
            network: optional(params['network']),
            port: optional(params['port']),
            fixedIp: optional(params['fixed_ip']),
          });
          sendJsonResponse(res, 200, null);
        },
      },
      ...(['add_security_group', 'remove_security_group'] as const).map((action): RouteSpec => ({
        method: 'POST',
        path: `${item}/${action}`,
        maxVersion: new ApiVersion(1, 14),
        schemas: { bodyOrQuery: validators.securityGroup },
        handler: async (req) => {
          const params = await mergedParams(req);
          validators.securityGroup(params);
          const ctx = requireContext(req);
          await (action === 'add_security_group' ? this.networks.addSecurityGroup(ctx, ident(req)) : this.networks.removeSecurityGroup(ctx, ident(req)));
        },
      })),
    ];
  }
}
