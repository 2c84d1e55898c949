/** Headers the origin check reads (lower-case names, as node gives them). */
export interface OriginHeaders {
  origin?: string | undefined;
  host?: string | undefined;
  'x-forwarded-proto'?: string | string[] | undefined;
}

function hostnameOf(value: string, withScheme: boolean): string | null {
  try {
    return new URL(withScheme ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Zun's console origin rule, against cross-site websocket hijacking: with an
 * `Origin` header, its host name must be the request's `Host` name or one of
 * `allowedOrigins`, and its scheme (or `X-Forwarded-Proto` behind a TLS-ending
 * proxy) must match `baseUrl`'s (ws ↔ http/ws, wss ↔ https/wss). No Origin (a
 * command-line client) passes. Returns why the request is refused, or null.
 */
export function originProblem(headers: OriginHeaders, baseUrl: string, allowedOrigins: readonly string[]): string | null {
  const origin = headers.origin;
  if (!origin) return null;
  let scheme: string;
  try {
    scheme = new URL(origin).protocol.replace(/:$/, '').toLowerCase();
  } catch {
    return 'Origin header is not a valid URL.';
  }
  const originHost = hostnameOf(origin, true);
  const forwarded = headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase() || scheme;
  const secure = baseUrl.toLowerCase().startsWith('wss:');
  const accepted = secure ? ['https', 'wss'] : ['http', 'ws'];
  if (!accepted.includes(proto)) return 'Origin header protocol does not match this host.';
  const expected = new Set(allowedOrigins.map((o) => o.toLowerCase()));
  const requestHost = headers.host ? hostnameOf(headers.host, false) : null;
  if (requestHost) expected.add(requestHost);
  if (!originHost || !expected.has(originHost)) return 'Origin header does not match this host.';
  return null;
}
