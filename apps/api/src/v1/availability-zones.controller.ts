import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { sendJsonResponse } from '../http/error-body';
import { queryParams } from '../http/query-schema';
import { requireContext } from '../http/request-state';
import { type ApiController, type RouteSpec } from './route-table';
import { ZunServiceService } from './zun-service.service';

/** `GET /v1/availability_zones`: the zones of the registered services (any authenticated user). */
@injectable()
export class AvailabilityZonesController implements ApiController {
  constructor(@inject(ZunServiceService) private readonly services: ZunServiceService) {}

  routes(): RouteSpec[] {
    return [{ method: 'GET', path: '/v1/availability_zones', handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) }];
  }

  private async list(req: Request): Promise<unknown> {
    const q = queryParams(req);
    const zones = await this.services.availabilityZones(requireContext(req), { limit: q['limit'], sortKey: q['sort_key'], sortDir: q['sort_dir'] });
    return { availability_zones: zones.map((z) => ({ availability_zone: z })), next: null };
  }
}
