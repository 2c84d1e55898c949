import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { sendJsonResponse } from '../../http/error-body';
import { mergedParams } from '../../http/request-params.parser';
import { requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { validateQuotaUpdate } from './quota.schemas';
import { QuotaService } from './quota.service';
import { parseLimits } from './quotas.controller';

function classOf(req: Request): string {
  return String(req.params['className']);
}

/** `/v1/quota_classes/{name}` (admin): class limits; the `default` class holds every project's defaults. */
@injectable()
export class QuotaClassesController implements ApiController {
  constructor(@inject(QuotaService) private readonly quotas: QuotaService) {}

  routes(): RouteSpec[] {
    const item = '/v1/quota_classes/:className';
    return [
      { method: 'GET', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.get(req)) },
      { method: 'PUT', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.update(req)), schemas: { bodyOrQuery: validateQuotaUpdate } },
    ];
  }

  private get(req: Request): Promise<unknown> {
    return this.quotas.showClass(requireContext(req), classOf(req));
  }

  private async update(req: Request): Promise<unknown> {
    const params = await mergedParams(req);
    validateQuotaUpdate(params);
    return this.quotas.updateClass(requireContext(req), classOf(req), parseLimits(params));
  }
}
