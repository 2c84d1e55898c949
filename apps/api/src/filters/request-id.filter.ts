import { type RequestHandler } from 'express';
import { inject, injectable } from 'inversify';
import { type Logger } from '@zun-ts/common';
import { LOGGER } from '../api.tokens';
import { requestState } from '../http/request-state';
import { type PipelineStage, type PipelineStageFactory } from '../pipeline/pipeline.types';

export const REQUEST_ID_HEADER = 'X-OpenStack-Request-Id';

/** Gives every request a `req-<uuid>` id, returned in X-OpenStack-Request-Id (errors included), and logs each request once done. */
@injectable()
export class RequestIdFilter implements PipelineStageFactory {
  readonly name = 'request_id';
  readonly kind = 'filter';

  constructor(@inject(LOGGER) private readonly logger: Logger) {}

  create(): PipelineStage {
    const handler: RequestHandler = (req, res, next) => {
      const { requestId } = requestState(req);
      res.setHeader(REQUEST_ID_HEADER, requestId);
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        this.logger.info('request', {
          requestId,
          method: req.method,
          url: req.originalUrl,
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        });
      });
      next();
    };
    return { handlers: [handler] };
  }
}
