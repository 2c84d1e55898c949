import { type Request, type RequestHandler, type Response, type Router } from 'express';
import { type ApiVersion } from '../http/api-version';
import { HttpError } from '../http/http-error';
import { markRoute } from '../http/request-metrics';
import { requestState } from '../http/request-state';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type RouteHandler = (req: Request, res: Response) => Promise<void> | void;

/** One method on one path, optionally limited to a microversion range. */
export interface RouteSpec {
  method: HttpMethod;
  /** Express path, e.g. `/v1/services`. */
  path: string;
  /** First microversion that has this method. */
  minVersion?: ApiVersion;
  /** Last microversion that has this method. */
  maxVersion?: ApiVersion;
  handler: RouteHandler;
}

/** A group of routes (one resource). */
export interface ApiController {
  routes(): RouteSpec[];
}

function inRange(route: RouteSpec, v: ApiVersion | undefined): boolean {
  if (!v) return true;
  return !(route.minVersion && v.lt(route.minVersion)) && !(route.maxVersion && v.gt(route.maxVersion));
}

/**
 * Installs routes so that a known path with an unknown method answers 405 (with Allow),
 * and a method that does not exist at the requested microversion answers 406.
 */
export function installRoutes(router: Router, routes: readonly RouteSpec[]): void {
  const byPath = new Map<string, RouteSpec[]>();
  for (const r of routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
  for (const [path, specs] of byPath) {
    const methods = [...new Set(specs.map((s) => s.method))];
    const dispatch: RequestHandler = async (req, res) => {
      markRoute(req, path);
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const candidates = specs.filter((s) => s.method === method);
      if (candidates.length === 0) {
        throw new HttpError(405, `The method ${req.method} is not allowed for this resource.`, undefined, { Allow: methods.join(', ') });
      }
      const version = requestState(req).version;
      const route = candidates.find((s) => inRange(s, version));
      if (!route) {
        throw new HttpError(406, `Version ${version?.toString() ?? ''} was requested but the requested API is not supported for this version.`);
      }
      await route.handler(req, res);
    };
    router.all(path, dispatch);
  }
}
