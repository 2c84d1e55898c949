// The HTTP side of the client: one Keystone session (logged in again once on a 401 when it has a password),
// the endpoint, the negotiated microversion, and the JSON requests with typed errors.
import { type AuthOptions, endpointFromCatalog, type FetchLike, passwordLogin, type Session, tokenCatalog } from './auth';
import { errorFromAnswer, Unauthorized, ZunClientError } from './errors';
import { Microversion, negotiate, versionRangeOf } from './microversion';

export interface ClientOptions {
  auth: AuthOptions;
  /** The API's `/v1` URL; unset: the catalog's endpoint of `serviceType`. */
  endpoint?: string;
  /** Catalog lookup (default `container`, `public`). */
  serviceType?: string;
  interface?: 'public' | 'internal' | 'admin';
  region?: string;
  /** Pin a microversion (e.g. `1.13`) instead of the highest both sides support. */
  apiVersion?: string;
  /** Per request (default 60 s). */
  timeoutMs?: number;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: FetchLike;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
}

/** A 2xx answer. */
export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

const trim = (u: string): string => u.replace(/\/+$/, '');

export function queryString(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null) p.append(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class Transport {
  private session: Session | null = null;
  private pendingLogin: Promise<Session> | null = null;
  private pendingVersion: Promise<Microversion> | null = null;
  private endpointUrl: string | null;
  private version: Microversion | null = null;
  private readonly doFetch: FetchLike;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ClientOptions) {
    // Bound: a browser's fetch called as a method of another object throws "Illegal invocation".
    this.doFetch = opts.fetch ?? fetch.bind(globalThis);
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.endpointUrl = opts.endpoint ? Transport.v1(opts.endpoint) : null;
  }

  /** `…/v1` of a URL given with or without it. */
  private static v1(url: string): string {
    const u = trim(url);
    return /\/v1$/.test(u) ? u : `${u}/v1`;
  }

  /** Logs in once for concurrent callers. */
  private login(): Promise<Session> {
    this.pendingLogin ??= this.doLogin().finally(() => {
      this.pendingLogin = null;
    });
    return this.pendingLogin;
  }

  /** Logs in (password) or looks up the token's catalog when the endpoint must come from it. */
  private async doLogin(): Promise<Session> {
    const a = this.opts.auth;
    if (a.kind === 'password') this.session = await passwordLogin(a, this.doFetch, this.timeoutMs);
    else if (this.endpointUrl) this.session = { token: a.token, catalog: [] };
    else if (a.authUrl) this.session = await tokenCatalog(a.authUrl, a.token, this.doFetch, this.timeoutMs);
    else throw new ZunClientError('token auth without an endpoint needs authUrl to read the catalog');
    if (!this.endpointUrl) {
      this.endpointUrl = Transport.v1(
        endpointFromCatalog(this.session.catalog, { serviceType: this.opts.serviceType, interface: this.opts.interface, region: this.opts.region }),
      );
    }
    return this.session;
  }

  /** The token in use (logging in first if needed). */
  async token(): Promise<string> {
    return (this.session ?? (await this.login())).token;
  }

  /** The API's `/v1` URL (from the catalog if it was not given). */
  async endpoint(): Promise<string> {
    if (!this.endpointUrl) await this.login();
    return this.endpointUrl as string;
  }

  /**
   * The microversion this client sends: the pinned one, or the highest of the server's range (`GET /`, else the
   * `OpenStack-API-Minimum/Maximum-Version` headers of `GET /v1`) that the client knows.
   */
  async apiVersion(): Promise<Microversion> {
    if (this.version) return this.version;
    this.pendingVersion ??= this.negotiateVersion().finally(() => {
      this.pendingVersion = null;
    });
    return this.pendingVersion;
  }

  private async negotiateVersion(): Promise<Microversion> {
    const v1 = await this.endpoint();
    const wanted = this.opts.apiVersion ? Microversion.parse(this.opts.apiVersion) : undefined;
    const root = v1.replace(/\/v1$/, '/');
    let range = null;
    try {
      const res = await this.doFetch(root, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) });
      if (res.ok) range = versionRangeOf(await parse(res));
    } catch {
      // not reachable without the /v1 suffix: ask /v1 below
    }
    if (!range) {
      const res = await this.doFetch(v1, { headers: { Accept: 'application/json', 'X-Auth-Token': await this.token() }, signal: AbortSignal.timeout(this.timeoutMs) });
      const body = await parse(res);
      if (!res.ok) throw errorFromAnswer({ status: res.status, method: 'GET', url: v1, body, requestId: res.headers.get('x-openstack-request-id') });
      range = versionRangeOf(body);
      const min = res.headers.get('openstack-api-minimum-version')?.replace(/^container\s+/, '');
      const max = res.headers.get('openstack-api-maximum-version')?.replace(/^container\s+/, '');
      if (!range && min && max) range = { min: Microversion.parse(min), max: Microversion.parse(max) };
    }
    // a server that says nothing of microversions speaks 1.1 only
    this.version = negotiate(range ?? { min: new Microversion(1, 1), max: new Microversion(1, 1) }, wanted);
    return this.version;
  }

  /** `method path` under `/v1`; the parsed JSON of a 2xx answer, a typed error otherwise. */
  async request<T>(method: string, path: string, o: RequestOptions = {}): Promise<Answer<T>> {
    const version = await this.apiVersion();
    const url = `${await this.endpoint()}${path}${queryString(o.query)}`;
    for (let attempt = 0; ; attempt++) {
      const token = await this.token();
      const res = await this.doFetch(url, {
        method,
        headers: {
          'X-Auth-Token': token,
          Accept: 'application/json',
          'OpenStack-API-Version': `container ${version}`,
          ...(o.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const body = await parse(res);
      if (res.ok) return { status: res.status, body: body as T, headers: res.headers };
      const err = errorFromAnswer({ status: res.status, method, url, body, requestId: res.headers.get('x-openstack-request-id') });
      // an expired token: a password session logs in again, once
      if (err instanceof Unauthorized && attempt === 0 && this.opts.auth.kind === 'password') {
        if (this.session?.token === token) this.session = null; // a concurrent call may have logged in already
        continue;
      }
      throw err;
    }
  }
}
