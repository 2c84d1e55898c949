import { existsSync } from 'node:fs';
import { type RequestHandler } from 'express';
import { injectable } from 'inversify';
import { type PipelineStage, type PipelineStageFactory, type StageOptions } from '../pipeline/pipeline.types';

/**
 * Answers `GET /healthcheck` with 200 "OK" before authentication, or 503 "DISABLED BY FILE"
 * while `disable_by_file_path` exists (lets an operator drain a node from a load balancer).
 */
@injectable()
export class HealthcheckFilter implements PipelineStageFactory {
  readonly name = 'healthcheck';
  readonly kind: 'filter' | 'app' = 'filter';

  create(options: StageOptions): PipelineStage {
    const path = options['path'] ?? '/healthcheck';
    const disableFile = options['disable_by_file_path'];
    const handler: RequestHandler = (req, res, next) => {
      if (req.path !== path || (req.method !== 'GET' && req.method !== 'HEAD')) {
        next();
        return;
      }
      const disabled = disableFile !== undefined && existsSync(disableFile);
      res.status(disabled ? 503 : 200).type('text/plain').send(disabled ? 'DISABLED BY FILE' : 'OK');
    };
    return { handlers: [handler] };
  }
}

/** The same answers as an app (oslo's Healthcheck app_factory), for `/healthcheck = ...` in a urlmap. */
@injectable()
export class HealthcheckApp extends HealthcheckFilter {
  override readonly kind = 'app';
}
