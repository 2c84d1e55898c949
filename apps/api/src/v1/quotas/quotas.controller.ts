import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { InvalidValue, type RequestContext } from '@zun-ts/common';
import { type QuotaLimits } from '@zun-ts/db';
import { credentialsFromContext, type PolicyEnforcer } from '@zun-ts/policy';
import { POLICY } from '../../api.tokens';
import { sendJsonResponse } from '../../http/error-body';
import { requireContext } from '../../http/request-state';
import { mergedParams } from '../containers/request-params.parser';
import { queryParams } from '../query-schema';
import { type ApiController, type RouteSpec } from '../route-table';
import { validateQuotaUpdate } from './quota.schemas';
import { QuotaService } from './quota.service';

/** Longest project id or class name the quota tables hold. */
export const MAX_ID_LENGTH = 255;

/** Schema-valid quota parameters as numbers (Python's int() of each). */
export function parseLimits(params: Readonly<Record<string, unknown>>): Partial<QuotaLimits> {
  const out: Partial<QuotaLimits> = {};
  for (const r of ['containers', 'memory', 'cpu', 'disk'] as const) {
    const v = params[r];
    if (v !== undefined) out[r] = typeof v === 'number' ? v : Number.parseInt(String(v), 10);
  }
  return out;
}

/** `/v1/quotas/{project_id}`: a project's limits (and usage), its defaults, overrides by admins. */
@injectable()
export class QuotasController implements ApiController {
  constructor(
    @inject(QuotaService) private readonly quotas: QuotaService,
    @inject(POLICY) private readonly policy: PolicyEnforcer,
  ) {}

  routes(): RouteSpec[] {
    const item = '/v1/quotas/:projectId';
    return [
      { method: 'GET', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.get(req)) },
      { method: 'PUT', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.update(req)) },
      { method: 'DELETE', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.delete(req)) },
      { method: 'GET', path: `${item}/defaults`, handler: async (req, res) => sendJsonResponse(res, 200, await this.defaults(req)) },
    ];
  }

  /** Zun's quota rules take the project of the URL as their target (so "owner" means that project). */
  private authorize(req: Request, rule: string): { ctx: RequestContext; projectId: string } {
    const ctx = requireContext(req);
    const projectId = String(req.params['projectId']);
    if (projectId.length > MAX_ID_LENGTH) throw new InvalidValue(`Invalid project id: longer than ${MAX_ID_LENGTH} characters.`);
    this.policy.authorize(rule, { project_id: projectId }, credentialsFromContext(ctx));
    return { ctx, projectId };
  }

  private async get(req: Request): Promise<unknown> {
    const { projectId } = this.authorize(req, 'quota:get');
    // Zun takes any non-empty value as "with usages" (the client only sends it when asked).
    const usages = queryParams(req)['usages'];
    return usages ? this.quotas.limitsWithUsage(projectId) : this.quotas.limits(projectId);
  }

  private async update(req: Request): Promise<unknown> {
    const params = await mergedParams(req);
    validateQuotaUpdate(params);
    const { projectId } = this.authorize(req, 'quota:update');
    return this.quotas.update(projectId, parseLimits(params));
  }

  private async delete(req: Request): Promise<null> {
    const { projectId } = this.authorize(req, 'quota:delete');
    await this.quotas.delete(projectId);
    return null;
  }

  private async defaults(req: Request): Promise<unknown> {
    this.authorize(req, 'quota:get_default');
    return this.quotas.defaults();
  }
}
