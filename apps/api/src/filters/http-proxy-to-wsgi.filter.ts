import { type IncomingHttpHeaders } from 'node:http';
import { type RequestHandler } from 'express';
import { inject, injectable } from 'inversify';
import { type ZunConf } from '@zun-ts/config';
import { CONF } from '../api.tokens';
import { requestState } from '../http/request-state';
import { type PipelineStage, type PipelineStageFactory } from '../pipeline/pipeline.types';

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const f = v?.split(',')[0]?.trim();
  return f ? f : undefined;
}

/** Scheme and host a proxy says the client used: RFC 7239 Forwarded first, then X-Forwarded-*. */
export function forwardedOrigin(headers: IncomingHttpHeaders): { proto?: string; host?: string } {
  const out: { proto?: string; host?: string } = {};
  const forwarded = first(headers['forwarded']);
  if (forwarded) {
    for (const pair of forwarded.split(';')) {
      const [k, v] = pair.split('=', 2).map((s) => s.trim());
      const value = v?.replace(/^"(.*)"$/, '$1');
      if (!value) continue;
      if (k?.toLowerCase() === 'proto') out.proto = value;
      if (k?.toLowerCase() === 'host') out.host = value;
    }
  }
  out.proto ??= first(headers['x-forwarded-proto']);
  out.host ??= first(headers['x-forwarded-host']);
  return out;
}

/**
 * Honours a reverse proxy's Forwarded / X-Forwarded-Proto / X-Forwarded-Host headers when
 * building links — only with `[api] enable_proxy_headers_parsing`, since a client could
 * otherwise forge them.
 */
@injectable()
export class HttpProxyToWsgiFilter implements PipelineStageFactory {
  readonly name = 'http_proxy_to_wsgi';
  readonly kind = 'filter';

  constructor(@inject(CONF) private readonly conf: ZunConf) {}

  create(): PipelineStage {
    const enabled = this.conf.api.enable_proxy_headers_parsing;
    const handler: RequestHandler = (req, _res, next) => {
      if (enabled) {
        const { proto, host } = forwardedOrigin(req.headers);
        if (proto || host) {
          const state = requestState(req);
          const [currentScheme = 'http', currentHost = ''] = state.hostUrl.split('://', 2);
          const scheme = proto && /^https?$/i.test(proto) ? proto.toLowerCase() : currentScheme;
          const authority = host && /^[A-Za-z0-9.\-_[\]:]+$/.test(host) ? host : currentHost;
          state.hostUrl = `${scheme}://${authority}`;
        }
      }
      next();
    };
    return { handlers: [handler] };
  }
}
