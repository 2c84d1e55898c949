import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { sendJsonResponse } from '../../http/error-body';
import { queryParams } from '../../http/query-schema';
import { mergedParams } from '../../http/request-params.parser';
import { requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { validateQuotaUpdate } from './quota.schemas';
import { type QuotaLimitsUpdate, QuotaService } from './quota.service';

/** Schema-valid quota parameters as numbers (Python's int() of each). */
export function parseLimits(params: Readonly<Record<string, unknown>>): QuotaLimitsUpdate {
  const out: QuotaLimitsUpdate = {};
  for (const r of ['containers', 'memory', 'cpu', 'disk'] as const) {
    const v = params[r];
    if (v !== undefined) out[r] = typeof v === 'number' ? v : Number.parseInt(String(v), 10);
  }
  return out;
}

function projectOf(req: Request): string {
  return String(req.params['projectId']);
}

/** `/v1/quotas/{project_id}`: a project's limits (and usage), its defaults, overrides by admins. */
@injectable()
export class QuotasController implements ApiController {
  constructor(@inject(QuotaService) private readonly quotas: QuotaService) {}

  routes(): RouteSpec[] {
    const item = '/v1/quotas/:projectId';
    return [
      { method: 'GET', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.get(req)) },
      { method: 'PUT', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.update(req)), schemas: { bodyOrQuery: validateQuotaUpdate, example: { containers: 10, memory: 4096 } } },
      { method: 'DELETE', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.delete(req)) },
      { method: 'GET', path: `${item}/defaults`, handler: async (req, res) => sendJsonResponse(res, 200, await this.defaults(req)) },
    ];
  }

  private get(req: Request): Promise<unknown> {
    // Zun takes any non-empty value as "with usages" (the client only sends it when asked).
    return this.quotas.show(requireContext(req), projectOf(req), Boolean(queryParams(req)['usages']));
  }

  private async update(req: Request): Promise<unknown> {
    const params = await mergedParams(req);
    validateQuotaUpdate(params);
    return this.quotas.update(requireContext(req), projectOf(req), parseLimits(params));
  }

  private async delete(req: Request): Promise<null> {
    await this.quotas.delete(requireContext(req), projectOf(req));
    return null;
  }

  private defaults(req: Request): Promise<unknown> {
    return this.quotas.defaults(requireContext(req), projectOf(req));
  }
}
