import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { InvalidValue } from '@zun-ts/common';
import { credentialsFromContext, defaultTarget, type PolicyEnforcer } from '@zun-ts/policy';
import { POLICY } from '../../api.tokens';
import { sendJsonResponse } from '../../http/error-body';
import { requireContext } from '../../http/request-state';
import { mergedParams } from '../containers/request-params.parser';
import { type ApiController, type RouteSpec } from '../route-table';
import { validateQuotaUpdate } from './quota.schemas';
import { QuotaService } from './quota.service';
import { MAX_ID_LENGTH, parseLimits } from './quotas.controller';

/** `/v1/quota_classes/{name}` (admin): class limits; the `default` class holds every project's defaults. */
@injectable()
export class QuotaClassesController implements ApiController {
  constructor(
    @inject(QuotaService) private readonly quotas: QuotaService,
    @inject(POLICY) private readonly policy: PolicyEnforcer,
  ) {}

  routes(): RouteSpec[] {
    const item = '/v1/quota_classes/:className';
    return [
      { method: 'GET', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.get(req)) },
      { method: 'PUT', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.update(req)) },
    ];
  }

  private authorize(req: Request, rule: string): string {
    const ctx = requireContext(req);
    this.policy.authorize(rule, defaultTarget(ctx), credentialsFromContext(ctx));
    const name = String(req.params['className']);
    if (name.length > MAX_ID_LENGTH) throw new InvalidValue(`Invalid quota class name: longer than ${MAX_ID_LENGTH} characters.`);
    return name;
  }

  private async get(req: Request): Promise<unknown> {
    return this.quotas.classLimits(this.authorize(req, 'quota_class:get'));
  }

  private async update(req: Request): Promise<unknown> {
    const params = await mergedParams(req);
    validateQuotaUpdate(params);
    return this.quotas.updateClass(this.authorize(req, 'quota_class:update'), parseLimits(params));
  }
}
