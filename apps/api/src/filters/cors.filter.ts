import { type RequestHandler } from 'express';
import { inject, injectable } from 'inversify';
import { type ZunConf } from '@zun-ts/config';
import { CONF } from '../api.tokens';
import { type PipelineStage, type PipelineStageFactory, type StageOptions } from '../pipeline/pipeline.types';

// Zun's CORS defaults (plus the microversion header, which browsers must be able to send and read).
const ALLOW_HEADERS = ['X-Auth-Token', 'X-Identity-Status', 'X-Roles', 'X-Service-Catalog', 'X-User-Id', 'X-Project-Id',
  'X-OpenStack-Request-ID', 'X-Server-Management-Url', 'OpenStack-API-Version', 'Content-Type'];
const EXPOSE_HEADERS = ['X-Auth-Token', 'X-Subject-Token', 'X-Service-Token', 'X-OpenStack-Request-ID', 'X-Server-Management-Url',
  'OpenStack-API-Version', 'OpenStack-API-Minimum-Version', 'OpenStack-API-Maximum-Version'];
const ALLOW_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'];

function listOption(value: string | undefined, fallback: readonly string[]): string[] {
  return value === undefined ? [...fallback] : value.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Cross-origin requests from `[api] cors_allowed_origin` (`*` allows any origin): answers
 * preflight OPTIONS requests and adds the CORS headers to actual responses. Requests from
 * other origins get no CORS headers (the browser then blocks them).
 */
@injectable()
export class CorsFilter implements PipelineStageFactory {
  readonly name = 'cors';
  readonly kind = 'filter';

  constructor(@inject(CONF) private readonly conf: ZunConf) {}

  create(options: StageOptions): PipelineStage {
    const origins = listOption(options['allowed_origin'], this.conf.api.cors_allowed_origin);
    const credentials = options['allow_credentials'] !== undefined ? /^(true|1|yes|on)$/i.test(options['allow_credentials']) : this.conf.api.cors_allow_credentials;
    const allowHeaders = listOption(options['allow_headers'], ALLOW_HEADERS);
    const exposeHeaders = listOption(options['expose_headers'], EXPOSE_HEADERS);
    const allowMethods = listOption(options['allow_methods'], ALLOW_METHODS);
    const maxAge = options['max_age'];
    const allowed = (origin: string): boolean => origins.includes('*') || origins.includes(origin);

    const handler: RequestHandler = (req, res, next) => {
      const origin = req.headers.origin;
      if (origins.length === 0 || !origin) {
        next();
        return;
      }
      res.vary('Origin');
      const requestedMethod = req.headers['access-control-request-method'];
      if (req.method === 'OPTIONS' && requestedMethod) {
        // A preflight is answered here whatever the outcome; only a granted one carries CORS headers.
        const requestedHeaders = (req.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim()).filter(Boolean);
        const lowerAllowed = new Set(allowHeaders.map((h) => h.toLowerCase()));
        if (allowed(origin) && allowMethods.includes(requestedMethod.toUpperCase()) && requestedHeaders.every((h) => lowerAllowed.has(h.toLowerCase()))) {
          res.setHeader('Access-Control-Allow-Origin', origin);
          if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
          res.setHeader('Access-Control-Allow-Methods', requestedMethod.toUpperCase());
          if (requestedHeaders.length) res.setHeader('Access-Control-Allow-Headers', requestedHeaders.join(','));
          if (maxAge) res.setHeader('Access-Control-Max-Age', maxAge);
        }
        res.status(200).end();
        return;
      }
      if (allowed(origin)) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
        if (exposeHeaders.length) res.setHeader('Access-Control-Expose-Headers', exposeHeaders.join(','));
      }
      next();
    };
    return { handlers: [handler] };
  }
}
