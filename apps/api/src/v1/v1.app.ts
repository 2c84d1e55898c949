import { Router } from 'express';
import { injectable, multiInject } from 'inversify';
import { API_CONTROLLER } from '../api.tokens';
import { HttpError } from '../http/http-error';
import { type PipelineStage, type PipelineStageFactory } from '../pipeline/pipeline.types';
import { microversion } from './microversion';
import { openApiDocument } from './openapi/openapi.document';
import { openApiRoute } from './openapi/openapi.route';
import { type ApiController, installRoutes, type RouteSpec } from './route-table';

/**
 * The v1 API (the `v1` app of the pipeline): version documents, microversion negotiation
 * for everything under /v1, the controllers' routes, 404 for anything else.
 */
@injectable()
export class V1App implements PipelineStageFactory {
  readonly name = 'v1';
  readonly kind = 'app';

  constructor(@multiInject(API_CONTROLLER) private readonly controllers: ApiController[]) {}

  /** The route table: every controller's routes and `GET /v1/openapi.json`, which describes them all. */
  routes(): RouteSpec[] {
    const routes: RouteSpec[] = this.controllers.flatMap((c) => c.routes());
    routes.push(openApiRoute(() => routes));
    return routes;
  }

  create(): PipelineStage {
    const routes = this.routes();
    // A table the document cannot describe (the same method twice on a path) stops start-up, not a request.
    openApiDocument(routes, '');
    const router = Router({ caseSensitive: true });
    // Zun prefixes any path whose first segment is not v1 with /v1, which makes the
    // bookmark links (/services/…) resolve.
    router.use((req, _res, next) => {
      if (req.path !== '/' && !/^\/v1(\/|$)/.test(req.path)) req.url = `/v1${req.url}`;
      next();
    });
    router.use('/v1', microversion);
    installRoutes(router, routes);
    router.use(() => {
      throw new HttpError(404, 'The resource could not be found.');
    });
    return { handlers: [router] };
  }
}
