import { ServiceUnavailable } from '@zun-ts/common';

/** Who the client is at a registry: anonymous, or a user and password (basic auth, or to get a bearer token). */
export interface RegistryCredentials {
  username: string | null;
  password: string | null;
}

/** Options of {@link RegistryClient}. */
export interface RegistryClientOptions extends Partial<RegistryCredentials> {
  /** `host[:port]` of the registry. */
  domain: string;
  /**
   * `http` or `https`. Default: `http` for a loopback domain (`localhost`, `127.*`, `[::1]`), as Docker treats those
   * as insecure registries, else `https`.
   */
  scheme?: 'http' | 'https';
  /** Milliseconds each HTTP request may take. @default 5000 */
  timeoutMs?: number;
  /** The fetch to use (tests). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The registry could not be reached, or answered with a server error: callers treat its answer as unknown. */
export class RegistryUnreachable extends ServiceUnavailable {}

/** The registry refused the credentials (or wants some): 401/403 after the challenge was answered. */
export class RegistryUnauthorized extends ServiceUnavailable {}

/** One parsed `WWW-Authenticate` challenge. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/** Accept header of a manifest request: Docker v2 and OCI manifests and manifest lists (indexes). */
export const MANIFEST_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
].join(', ');

/** How many repository names a catalog page asks for. */
const CATALOG_PAGE = 100;
/** Stops a registry that keeps sending `next` links from holding a search forever. */
const MAX_CATALOG_PAGES = 200;

/**
 * Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (or `Basic realm="…"`). Quoted values may hold
 * commas; unquoted ones end at the next comma.
 */
export function parseChallenge(header: string): AuthChallenge | null {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!m?.[1]) return null;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/gy;
  const rest = m[2] ?? '';
  let p: RegExpExecArray | null;
  while ((p = re.exec(rest)) !== null && p[0] !== '') {
    const key = p[1];
    if (key) params[key.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** The URL of the `next` relation of an RFC 5988 `Link` header, or null. */
export function nextLinkOf(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(part);
    if (m?.[1] !== undefined) return m[1];
  }
  return null;
}

function isLoopback(domain: string): boolean {
  const host = domain.startsWith('[') ? domain.slice(0, domain.indexOf(']') + 1) : domain.split(':')[0] ?? '';
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/**
 * A small client of the Docker registry HTTP API v2 (the distribution spec): catalog, tags and manifest presence.
 * Authentication follows the challenge of the first 401: `Bearer` → a token from the realm (with basic auth when
 * the client has credentials), `Basic` → the credentials. Tokens are kept per scope for the client's life.
 */
export class RegistryClient {
  readonly domain: string;
  private readonly base: string;
  private readonly username: string | null;
  private readonly password: string | null;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  /** Authorization header per scope ('' for basic auth, which has none). */
  private readonly auth = new Map<string, string>();

  constructor(opts: RegistryClientOptions) {
    this.domain = opts.domain.replace(/\/+$/, '');
    const scheme = opts.scheme ?? (isLoopback(this.domain) ? 'http' : 'https');
    this.base = `${scheme}://${this.domain}`;
    this.username = opts.username ?? null;
    this.password = opts.password ?? null;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.fetchFn = opts.fetch ?? globalThis.fetch;
  }

  /** Every repository name of the registry (`/v2/_catalog`, following its `Link` pages). */
  async catalog(): Promise<string[]> {
    const names: string[] = [];
    let url: string | null = `${this.base}/v2/_catalog?n=${CATALOG_PAGE}`;
    for (let page = 0; url && page < MAX_CATALOG_PAGES; page++) {
      const res = await this.request(url, 'GET', 'registry:catalog:*');
      if (!res.ok) throw this.failure(res, 'catalog');
      const body = (await res.json()) as { repositories?: unknown };
      if (Array.isArray(body.repositories)) names.push(...body.repositories.filter((n): n is string => typeof n === 'string'));
      const next = nextLinkOf(res.headers.get('link'));
      url = next ? new URL(next, this.base).toString() : null;
    }
    return names;
  }

  /** Tags of repository `name` (`/v2/<name>/tags/list`); [] for a repository the registry does not know. */
  async tags(name: string): Promise<string[]> {
    const res = await this.request(`${this.base}/v2/${name}/tags/list`, 'GET', `repository:${name}:pull`);
    if (res.status === 404) return [];
    if (!res.ok) throw this.failure(res, `tags of ${name}`);
    const body = (await res.json()) as { tags?: unknown };
    return Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [];
  }

  /** Whether manifest `reference` (a tag or digest) of repository `name` exists. */
  async hasManifest(name: string, reference: string): Promise<boolean> {
    return (await this.manifestHead(name, reference)) !== null;
  }

  /**
   * A HEAD of manifest `reference` (a tag or digest) of repository `name`, with the manifest types: null when the
   * registry has none, else its digest (`Docker-Content-Digest`; null when the registry does not say).
   */
  async manifestHead(name: string, reference: string): Promise<{ digest: string | null } | null> {
    const res = await this.request(`${this.base}/v2/${name}/manifests/${reference}`, 'HEAD', `repository:${name}:pull`, { Accept: MANIFEST_ACCEPT });
    if (res.status === 404) return null;
    if (res.ok) return { digest: res.headers.get('docker-content-digest') };
    throw this.failure(res, `manifest ${name}:${reference}`);
  }

  private failure(res: Response, what: string): Error {
    if (res.status === 401 || res.status === 403) return new RegistryUnauthorized(`Registry ${this.domain} refused access to ${what} (HTTP ${res.status}).`);
    return new RegistryUnreachable(`Registry ${this.domain} answered HTTP ${res.status} for ${what}.`);
  }

  /** One request, authenticated after the registry's challenge; a 401 after the answer is returned as is. */
  private async request(url: string, method: 'GET' | 'HEAD', scope: string, headers: Record<string, string> = {}): Promise<Response> {
    const known = this.auth.get(scope);
    const first = await this.send(url, method, known ? { ...headers, Authorization: known } : headers);
    if (first.status !== 401) return first;
    const challenge = parseChallenge(first.headers.get('www-authenticate') ?? '');
    await first.body?.cancel();
    if (!challenge) return first;
    const authorization = await this.answer(challenge, scope);
    if (authorization === null) return first;
    this.auth.set(scope, authorization);
    return this.send(url, method, { ...headers, Authorization: authorization });
  }

  /** The Authorization header that answers `challenge`, or null when the client has nothing to answer with. */
  private async answer(challenge: AuthChallenge, scope: string): Promise<string | null> {
    const hasCreds = this.username !== null && this.username !== '';
    if (challenge.scheme === 'basic') return hasCreds ? basic(this.username ?? '', this.password ?? '') : null;
    if (challenge.scheme !== 'bearer') return null;
    const realm = challenge.params['realm'];
    if (!realm) return null;
    const tokenUrl = new URL(realm, this.base);
    if (challenge.params['service']) tokenUrl.searchParams.set('service', challenge.params['service']);
    tokenUrl.searchParams.set('scope', challenge.params['scope'] ?? scope);
    const res = await this.send(tokenUrl.toString(), 'GET', hasCreds ? { Authorization: basic(this.username ?? '', this.password ?? '') } : {});
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new RegistryUnauthorized(`Registry ${this.domain} refused a token (HTTP ${res.status}).`);
    }
    if (!res.ok) throw this.failure(res, 'a token');
    const body = (await res.json()) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : null;
    if (!token) throw new RegistryUnreachable(`Registry ${this.domain} gave no token.`);
    return `Bearer ${token}`;
  }

  private async send(url: string, method: 'GET' | 'HEAD', headers: Record<string, string>): Promise<Response> {
    try {
      return await this.fetchFn(url, { method, headers, redirect: 'follow', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
      throw new RegistryUnreachable(`Registry ${this.domain} could not be reached: ${why}`, { cause: e });
    }
  }
}
