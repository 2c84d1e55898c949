import { type RequestHandler } from 'express';
import { inject, injectable } from 'inversify';
import { ConfigError } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { CONF } from '../api.tokens';
import { readBody, tooLarge } from '../http/read-body';
import { type PipelineStage, type PipelineStageFactory, type StageOptions } from '../pipeline/pipeline.types';

/**
 * Refuses bodies over `[api] max_request_body_size` with 413: at once when Content-Length says
 * so, otherwise as soon as the streamed body passes the limit. The body is read here, whole.
 */
@injectable()
export class SizeLimitFilter implements PipelineStageFactory {
  readonly name = 'sizelimit';
  readonly kind = 'filter';

  constructor(@inject(CONF) private readonly conf: ZunConf) {}

  create(options: StageOptions): PipelineStage {
    const limit = options['max_request_body_size'] !== undefined ? Number(options['max_request_body_size']) : this.conf.api.max_request_body_size;
    if (!Number.isInteger(limit) || limit < 1) throw new ConfigError(`[filter:sizelimit] max_request_body_size: not a positive integer`);
    const handler: RequestHandler = async (req, _res, next) => {
      const declared = req.headers['content-length'];
      if (declared !== undefined && Number(declared) > limit) throw tooLarge();
      await readBody(req, limit);
      next();
    };
    return { handlers: [handler] };
  }
}
