import { type RequestHandler } from 'express';
import { inject, injectable } from 'inversify';
import { type Logger } from '@zun-ts/common';
import { LOGGER } from '../api.tokens';
import { type PipelineStage, type PipelineStageFactory, type StageOptions } from '../pipeline/pipeline.types';

/**
 * No authentication (testing only): the caller's identity is whatever X-User-Id,
 * X-Project-Id and X-Roles say. A request that sends none of them acts as the fixed
 * identity user `admin`, project `admin`, roles `admin,member,reader` (options
 * `user_id`, `project_id`, `roles` of [filter:noauth] change it).
 */
@injectable()
export class NoAuthFilter implements PipelineStageFactory {
  readonly name = 'noauth';
  readonly kind = 'filter';

  constructor(@inject(LOGGER) private readonly logger: Logger) {}

  create(options: StageOptions): PipelineStage {
    const userId = options['user_id'] ?? 'admin';
    const projectId = options['project_id'] ?? 'admin';
    const roles = options['roles'] ?? 'admin,member,reader';
    this.logger.warn('AUTHENTICATION IS DISABLED ([api] auth_strategy = noauth): every caller is trusted; never use this in production', {
      defaultIdentity: { userId, projectId, roles },
    });
    const handler: RequestHandler = (req, _res, next) => {
      const h = req.headers;
      if (h['x-user-id'] === undefined && h['x-project-id'] === undefined && h['x-roles'] === undefined) {
        h['x-user-id'] = userId;
        h['x-user-name'] = userId;
        h['x-project-id'] = projectId;
        h['x-project-name'] = projectId;
        h['x-roles'] = roles;
      }
      h['x-identity-status'] = 'Confirmed';
      next();
    };
    return { handlers: [handler] };
  }
}
