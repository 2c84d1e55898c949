import { type Logger, ServiceUnavailable } from '@zun-ts/common';
import { type Clock } from '../api.tokens';

/** How the API reaches Keystone as its service user (`[keystone_authtoken]`). */
export interface KeystoneClientOptions {
  /** Identity v3 endpoint, e.g. http://keystone:5000/v3 (a missing /v3 is added). */
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
  /** Per-request timeout. */
  timeoutMs: number;
  logger: Logger;
  now: Clock;
}

/** What the token API needs from Keystone; the HTTP client below is the real one. */
export interface KeystoneTokenApi {
  /** The token document (`{"token": {...}}`) of a valid token, `null` for an invalid one; ServiceUnavailable otherwise. */
  validateToken(subjectToken: string): Promise<unknown>;
}

/** Renew the service token this long before it expires. */
const RENEW_BEFORE_MS = 120_000;

export function identityV3Url(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

/** Keystone's token API over HTTP, holding a service token it renews before expiry and after a 401. */
export class KeystoneClient implements KeystoneTokenApi {
  private readonly base: string;
  private serviceToken: { token: string; expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(private readonly opts: KeystoneClientOptions) {
    this.base = identityV3Url(opts.authUrl);
  }

  async validateToken(subjectToken: string): Promise<unknown> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const serviceToken = await this.getServiceToken();
      const res = await this.request('GET', '/auth/tokens?nocatalog', {
        'X-Auth-Token': serviceToken,
        'X-Subject-Token': subjectToken,
      });
      if (res.status === 200) return this.json(res);
      if (res.status === 404) return null;
      await res.body?.cancel();
      if (res.status === 401) {
        // Our own token was refused (expired, revoked, keys rotated): get a new one, once.
        this.opts.logger.warn('service token refused by keystone, renewing it');
        if (this.serviceToken?.token === serviceToken) this.serviceToken = null;
        continue;
      }
      if (res.status === 403) {
        this.opts.logger.error('the service user may not validate tokens (it needs the admin or service role)', { username: this.opts.username });
      }
      throw this.unavailable(`token validation answered ${res.status}`);
    }
    throw this.unavailable('keystone keeps refusing the service token');
  }

  private getServiceToken(): Promise<string> {
    const cached = this.serviceToken;
    if (cached && cached.expiresAt - RENEW_BEFORE_MS > this.opts.now()) return Promise.resolve(cached.token);
    // One login at a time, shared by every request that needs it.
    this.pending ??= this.login().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async login(): Promise<string> {
    const o = this.opts;
    const body = {
      auth: {
        identity: { methods: ['password'], password: { user: { name: o.username, domain: { name: o.userDomainName }, password: o.password } } },
        scope: { project: { name: o.projectName, domain: { name: o.projectDomainName } } },
      },
    };
    const res = await this.request('POST', '/auth/tokens?nocatalog', { 'Content-Type': 'application/json' }, JSON.stringify(body));
    if (res.status !== 201 && res.status !== 200) {
      await res.body?.cancel();
      o.logger.error('service user login refused by keystone', { status: res.status, username: o.username, authUrl: this.base });
      throw this.unavailable(`service user login answered ${res.status}`);
    }
    const token = res.headers.get('x-subject-token');
    const doc = await this.json(res);
    const expiresText = (doc as { token?: { expires_at?: unknown } } | null)?.token?.expires_at;
    const expiresAt = typeof expiresText === 'string' ? Date.parse(expiresText) : Number.NaN;
    if (!token || Number.isNaN(expiresAt)) throw this.unavailable('service user login gave no token');
    this.serviceToken = { token, expiresAt };
    o.logger.info('service token obtained', { username: o.username, expiresAt: new Date(expiresAt).toISOString() });
    return token;
  }

  private async request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers: { Accept: 'application/json', 'User-Agent': 'zun-api', ...headers },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (err) {
      throw this.unavailable(`cannot reach keystone at ${this.base}: ${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err)}`);
    }
  }

  private async json(res: Response): Promise<unknown> {
    try {
      return await res.json();
    } catch (err) {
      throw this.unavailable(`keystone sent an unreadable answer: ${(err as Error).message}`);
    }
  }

  private unavailable(reason: string): ServiceUnavailable {
    this.opts.logger.error('keystone unavailable', { reason });
    return new ServiceUnavailable(`Identity service unavailable: ${reason}`);
  }
}
