import { type ErrorRequestHandler } from 'express';
import { inject, injectable } from 'inversify';
import { type Logger } from '@zun-ts/common';
import { LOGGER } from '../api.tokens';
import { renderError } from '../http/error-body';
import { type PipelineStage, type PipelineStageFactory } from '../pipeline/pipeline.types';

/**
 * Turns every error of the stages after it into Zun's error body: client errors with their
 * message, anything else a 5xx whose details are only in the log, under a correlation id.
 */
@injectable()
export class FaultWrapFilter implements PipelineStageFactory {
  readonly name = 'faultwrap';
  readonly kind = 'filter';

  constructor(@inject(LOGGER) private readonly logger: Logger) {}

  create(): PipelineStage {
    const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => renderError(err, req, res, this.logger);
    return { handlers: [], errorHandlers: [onError] };
  }
}
