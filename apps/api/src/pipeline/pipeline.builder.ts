import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { inject, injectable, multiInject } from 'inversify';
import { ConfigError, type Logger } from '@zun-ts/common';
import { LOGGER, PIPELINE_STAGE } from '../api.tokens';
import { renderError } from '../http/error-body';
import { HttpError } from '../http/http-error';
import { type PasteConfig } from './paste-config';
import { type PipelineStageFactory, type StageOptions } from './pipeline.types';

/** One resolved element of a pipeline. */
export interface ResolvedStage {
  element: string;
  factory: PipelineStageFactory;
  options: StageOptions;
}

/** Turns a named pipeline of api-paste.ini into an express application. */
@injectable()
export class PipelineBuilder {
  private readonly factories: Map<string, PipelineStageFactory>;

  constructor(
    @multiInject(PIPELINE_STAGE) factories: PipelineStageFactory[],
    @inject(LOGGER) private readonly logger: Logger,
  ) {
    this.factories = new Map(factories.map((f) => [f.name, f]));
  }

  /** Every element resolved to its factory; throws ConfigError listing every unknown name. */
  resolve(paste: PasteConfig, pipelineName: string): ResolvedStage[] {
    const elements = paste.pipelines.get(pipelineName);
    if (!elements) {
      throw new ConfigError(`${paste.source}: no [pipeline:${pipelineName}] (pipelines defined: ${[...paste.pipelines.keys()].join(', ') || 'none'})`);
    }
    const problems: string[] = [];
    const resolved: ResolvedStage[] = [];
    for (const [i, element] of elements.entries()) {
      const section = paste.sections.get(element);
      const { use, ...options } = section?.options ?? {};
      const factoryName = use ?? element;
      const factory = this.factories.get(factoryName);
      const wantKind = i === elements.length - 1 ? 'app' : 'filter';
      if (!factory) {
        problems.push(`unknown ${wantKind} "${factoryName}"`);
        continue;
      }
      if (factory.kind !== wantKind) {
        problems.push(`"${element}" is ${factory.kind === 'app' ? 'an app' : 'a filter'} but stands where ${wantKind === 'app' ? 'the app (last element)' : 'a filter'} belongs`);
        continue;
      }
      resolved.push({ element, factory, options });
    }
    if (problems.length) {
      const known = (kind: string): string => [...this.factories.values()].filter((f) => f.kind === kind).map((f) => f.name).join(', ');
      throw new ConfigError(
        `${paste.source} [pipeline:${pipelineName}]: ${problems.join('; ')} (known filters: ${known('filter')}; known apps: ${known('app')})`,
      );
    }
    return resolved;
  }

  build(paste: PasteConfig, pipelineName: string): Express {
    const stages = this.resolve(paste, pipelineName).map((s) => ({ element: s.element, stage: s.factory.create(s.options) }));
    this.logger.info('api pipeline', { source: paste.source, pipeline: pipelineName, elements: stages.map((s) => s.element) });
    const app = express();
    app.disable('x-powered-by');
    app.disable('etag');
    for (const { stage } of stages) if (stage.handlers.length) app.use(...(stage.handlers as RequestHandler[]));
    // Nothing answered: the app did not know the path.
    app.use(() => {
      throw new HttpError(404, 'The resource could not be found.');
    });
    for (const { stage } of [...stages].reverse()) {
      if (stage.errorHandlers?.length) app.use(...(stage.errorHandlers as ErrorRequestHandler[]));
    }
    // Last resort, for errors raised before (or without) faultwrap.
    const last: ErrorRequestHandler = (err: unknown, req, res, _next) => renderError(err, req, res, this.logger);
    app.use(last);
    return app;
  }
}
