import { type Request, type RequestHandler, type Response, type Router } from 'express';
import { type ApiVersion } from '../http/api-version';
import { HttpError } from '../http/http-error';
import { markRoute } from '../http/request-metrics';
import { type SchemaValidator } from '../http/schema-registry';
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
  /** The validators the handler checks the request with: their schemas are what the OpenAPI document shows. */
  schemas?: RouteSchemas;
  /** Served without a token (listed in the authtoken filter's default acl_public_routes). */
  public?: boolean;
}

/** A request-body validator that holds for part of the microversion range. */
export interface VersionedValidator {
  minVersion?: ApiVersion;
  maxVersion?: ApiVersion;
  validator: SchemaValidator;
}

/** What a route validates: the JSON body, the query string, or parameters that may come in either (merged). */
export interface RouteSchemas {
  /** The JSON body; several entries when it differs between microversions. */
  body?: SchemaValidator | readonly VersionedValidator[];
  query?: SchemaValidator<Record<string, string>>;
  /** Zun reads these from the query string and the JSON body alike (body wins). */
  bodyOrQuery?: SchemaValidator;
  /** A request body the document shows as the example (for the newest microversion); tests send it to the API. */
  example?: Readonly<Record<string, unknown>>;
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
