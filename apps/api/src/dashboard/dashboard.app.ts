import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type RequestHandler } from 'express';
import { inject, injectable } from 'inversify';
import { type Logger } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { CONF, LOGGER } from '../api.tokens';
import { HttpError } from '../http/http-error';
import { jsonBody } from '../http/request-params.parser';
import { type PipelineStage, type PipelineStageFactory, type StageOptions } from '../pipeline/pipeline.types';
import { KeystoneLogin, parseLoginRequest } from './keystone-login';

/** Where the console's files are: beside the bundled API (dist/apps/api → dist/dashboard) or, from the sources, in dist/. */
export function defaultStaticDir(here: string = __dirname): string {
  const candidates = [resolve(here, '..', '..', 'dashboard'), resolve(here, '..', '..', '..', '..', 'dist', 'dashboard')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? (candidates[0] as string);
}

/** The console's pages may load only their own scripts and styles and talk to this API and the console proxy. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The web console under `/dashboard/`: its static files (options `static_dir`, default the built bundle) and
 * `POST /dashboard/login` {username, password, project?, domain?}, a Keystone password login that answers the
 * token, project and roles the console then uses against `/v1`. Errors in Zun's format (bad password: 401).
 */
@injectable()
export class DashboardApp implements PipelineStageFactory {
  readonly name = 'dashboard';
  readonly kind = 'app';
  constructor(
    @inject(CONF) private readonly conf: ZunConf,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  create(options: StageOptions): PipelineStage {
    const dir = options['static_dir'] ?? defaultStaticDir();
    const prefix = (options['path'] ?? '/dashboard').replace(/\/+$/, '');
    if (!existsSync(join(dir, 'index.html'))) this.logger.warn('the web console is not built (node tools/build.mjs dashboard)', { static_dir: dir });
    const ks = this.conf.keystone_authtoken;
    const authUrl = ks.www_authenticate_uri ?? ks.auth_url ?? '';
    const timeoutMs = ks.http_connect_timeout * 1000;

    const router = express.Router();
    router.use(((_req, res, next) => {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
      next();
    }) as RequestHandler);
    router.get(prefix, ((req, res, next) => {
      // Without the slash the page's relative URLs would miss the prefix (the route also matches `prefix/`).
      if (req.path !== prefix) {
        next();
        return;
      }
      res.redirect(301, `${prefix}/${req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''}`);
    }) as RequestHandler);
    router.post(`${prefix}/login`, (async (req, res) => {
      if (!authUrl) throw new HttpError(404, 'The console login needs [keystone_authtoken] auth_url or www_authenticate_uri.');
      const login = parseLoginRequest(await jsonBody(req));
      const answer = await new KeystoneLogin(authUrl, timeoutMs).login(login);
      this.logger.info('console login', { user: answer.user.name, project: answer.project.name });
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json(answer);
    }) as RequestHandler);
    router.all(`${prefix}/login`, (() => {
      throw new HttpError(405, 'The method is not allowed for the requested URL.', undefined, { Allow: 'POST' });
    }) as RequestHandler);
    router.use(prefix, express.static(dir, { index: 'index.html', redirect: false, fallthrough: true, maxAge: 0 }));
    return { handlers: [router as RequestHandler] };
  }
}
