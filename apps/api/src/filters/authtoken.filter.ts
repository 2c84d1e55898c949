import { type RequestHandler } from 'express';
import { inject, injectable } from 'inversify';
import { ConfigError, type Logger, ServiceUnavailable } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { CONF, LOGGER, TOKEN_VALIDATOR, type TokenValidator } from '../api.tokens';
import { setIdentityHeaders, stripIdentityHeaders } from '../auth/identity-headers';
import { sendKeystoneError } from '../http/error-body';
import { type PipelineStage, type PipelineStageFactory, type StageOptions } from '../pipeline/pipeline.types';

const UNAUTHORIZED = 'The request you have made requires authentication.';
const UNAVAILABLE = 'The server is currently unavailable. Please try again at a later time.';

/** `/v1/` → `/v1`, `/` stays `/` (Zun compares public routes without the trailing slash). */
function normalizePath(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}

/**
 * Keystone token validation, as keystonemiddleware does it for Zun: public routes pass,
 * any other request needs a valid X-Auth-Token; its identity is handed on as X-User-Id,
 * X-Project-Id, X-Roles, … (client-sent copies of those headers are always removed).
 * Missing/invalid token → 401 with WWW-Authenticate; Keystone unreachable → 503.
 */
@injectable()
export class AuthTokenFilter implements PipelineStageFactory {
  readonly name = 'authtoken';
  readonly kind = 'filter';

  constructor(
    @inject(CONF) private readonly conf: ZunConf,
    @inject(TOKEN_VALIDATOR) private readonly validator: TokenValidator,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  create(options: StageOptions): PipelineStage {
    const ks = this.conf.keystone_authtoken;
    const missing = (['auth_url', 'username', 'password', 'project_name'] as const).filter((k) => !ks[k]);
    if (missing.length) {
      throw new ConfigError(missing.map((k) => `[keystone_authtoken] ${k}: required when [api] auth_strategy = keystone`).join('\n'));
    }
    if (ks.auth_type !== 'password') throw new ConfigError(`[keystone_authtoken] auth_type: only "password" is supported, not "${ks.auth_type}"`);
    if (ks.delay_auth_decision) this.logger.warn('[keystone_authtoken] delay_auth_decision is not supported; requests without a valid token are refused');
    const publicRoutes = new Set((options['acl_public_routes'] ?? '/, /v1, /v1/openapi.json').split(',').map((r) => normalizePath(r.trim())).filter(Boolean));
    const challenge = { 'WWW-Authenticate': `Keystone uri="${ks.www_authenticate_uri ?? ks.auth_url ?? ''}"` };

    const handler: RequestHandler = async (req, res, next) => {
      stripIdentityHeaders(req);
      if (publicRoutes.has(normalizePath(req.path))) {
        next();
        return;
      }
      const token = req.headers['x-auth-token'];
      if (typeof token !== 'string' || token === '') {
        sendKeystoneError(res, 401, UNAUTHORIZED, challenge);
        return;
      }
      let identity;
      try {
        identity = await this.validator.validate(token);
      } catch (err) {
        if (!(err instanceof ServiceUnavailable)) throw err;
        sendKeystoneError(res, 503, UNAVAILABLE);
        return;
      }
      if (!identity) {
        sendKeystoneError(res, 401, UNAUTHORIZED, challenge);
        return;
      }
      setIdentityHeaders(req, identity);
      next();
    };
    return { handlers: [handler] };
  }
}
