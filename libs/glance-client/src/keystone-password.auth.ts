import { ServiceUnavailable } from '@zun-ts/common';

/** A Keystone v3 service catalog entry, as `POST /v3/auth/tokens` returns it. */
export interface CatalogService {
  type: string;
  name?: string;
  endpoints: Array<{ url: string; interface: string; region?: string | null; region_id?: string | null }>;
}

/** A password login scoped to a project, domains by name (an openrc's OS_* values, or `[keystone_authtoken]`'s). */
export interface KeystonePasswordCredentials {
  /** Identity endpoint, e.g. `http://keystone:5000/v3` (a missing `/v3` is added). */
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  /** @default 'Default' */
  userDomainName?: string;
  /** @default 'Default' */
  projectDomainName?: string;
}

/** The body of `POST /v3/auth/tokens` for `c`. */
export function passwordAuthRequest(c: KeystonePasswordCredentials): object {
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name: c.username, domain: { name: c.userDomainName ?? 'Default' }, password: c.password } } },
      scope: { project: { name: c.projectName, domain: { name: c.projectDomainName ?? 'Default' } } },
    },
  };
}

/** Who logs in, with a password, project-scoped (the `[keystone_authtoken]`-style service credentials). */
export interface KeystonePasswordOptions extends KeystonePasswordCredentials {
  /** Bound on one request to Keystone, in ms. @default 10000 */
  timeoutMs?: number;
  /** For tests. @default Date.now */
  now?: () => number;
}

/** Where a caller gets a token from: a service login, or a user's token it was handed. */
export interface TokenSource {
  /** A token to send as `X-Auth-Token`. */
  token(): Promise<string>;
  /** The server refused `token` (401): forget it, so that the next {@link token} logs in again. */
  refused?(token: string): void;
}

/** Renew a token this long before Keystone says it expires. */
const RENEW_BEFORE_MS = 120_000;

/** `http://keystone:5000` or `…/v3/` → `…/v3`. */
export function identityV3Url(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

/**
 * A password login to Keystone (identity v3) that keeps its token and the service catalog that came with it,
 * renews the token two minutes before it expires, and logs in again after a {@link refused} token. Concurrent
 * callers share one login.
 */
export class KeystonePasswordAuth implements TokenSource {
  private readonly base: string;
  private current: { token: string; expiresAt: number; catalog: CatalogService[] } | null = null;
  private pending: Promise<{ token: string; catalog: CatalogService[] }> | null = null;

  constructor(private readonly opts: KeystonePasswordOptions) {
    this.base = identityV3Url(opts.authUrl);
  }

  async token(): Promise<string> {
    return (await this.session()).token;
  }

  /** The catalog of the current token. */
  async catalog(): Promise<CatalogService[]> {
    return (await this.session()).catalog;
  }

  refused(token: string): void {
    if (this.current?.token === token) this.current = null;
  }

  private session(): Promise<{ token: string; catalog: CatalogService[] }> {
    const now = (this.opts.now ?? Date.now)();
    const c = this.current;
    if (c && c.expiresAt - RENEW_BEFORE_MS > now) return Promise.resolve(c);
    this.pending ??= this.login().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async login(): Promise<{ token: string; catalog: CatalogService[] }> {
    const o = this.opts;
    const body = passwordAuthRequest(o);
    let res: Response;
    try {
      res = await fetch(`${this.base}/auth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new ServiceUnavailable(`Identity service unavailable: cannot reach ${this.base}: ${causeOf(err)}`);
    }
    if (res.status !== 201 && res.status !== 200) {
      await res.body?.cancel();
      throw new ServiceUnavailable(`Identity service refused the login of ${o.username} (HTTP ${res.status})`);
    }
    const token = res.headers.get('x-subject-token');
    const doc = (await res.json().catch(() => null)) as { token?: { expires_at?: unknown; catalog?: unknown } } | null;
    const expiresAt = typeof doc?.token?.expires_at === 'string' ? Date.parse(doc.token.expires_at) : Number.NaN;
    if (!token || Number.isNaN(expiresAt)) throw new ServiceUnavailable('Identity service gave no token');
    const catalog = Array.isArray(doc?.token?.catalog) ? (doc.token.catalog as CatalogService[]) : [];
    this.current = { token, expiresAt, catalog };
    return this.current;
  }
}

/** The interfaces a catalog endpoint may be looked up by (Zun's `publicURL` forms are accepted too). */
export type EndpointInterface = 'public' | 'internal' | 'admin';

/** `publicURL` → `public`; anything unknown → null. */
export function normalizeInterface(value: string): EndpointInterface | null {
  const v = value.toLowerCase().replace(/url$/, '');
  return v === 'public' || v === 'internal' || v === 'admin' ? v : null;
}

/**
 * The URL of the first service of `serviceType` with an endpoint of `iface` (in `region`, when given); null when the
 * catalog has none.
 */
export function findEndpoint(catalog: CatalogService[], serviceType: string, iface: EndpointInterface, region: string | null): string | null {
  for (const service of catalog) {
    if (service.type !== serviceType) continue;
    for (const e of service.endpoints ?? []) {
      if (e.interface !== iface) continue;
      if (region && (e.region_id ?? e.region) !== region) continue;
      return e.url;
    }
  }
  return null;
}

function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  return cause instanceof Error ? cause.message : err.message;
}
