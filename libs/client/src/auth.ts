// Keystone v3: a password login scoped to a project (domains by name), or an existing token; the catalog's
// `container` endpoint.
import { type CatalogService, findEndpoint, identityV3Url, type KeystonePasswordCredentials, passwordAuthRequest } from '@zun-ts/glance-client';
import { errorFromAnswer, ZunClientError } from './errors';

/** Password login, project scope (like the OS_* variables of an openrc file). */
export interface PasswordAuth extends KeystonePasswordCredentials {
  kind: 'password';
}

/** A token the caller already holds; `authUrl` is needed only to find the endpoint in its catalog. */
export interface TokenAuth {
  kind: 'token';
  token: string;
  authUrl?: string;
}

export type AuthOptions = PasswordAuth | TokenAuth;

/** A catalog entry (the shape is the Glance client's: one home for Keystone's catalog). */
export type CatalogEntry = CatalogService;

/** A token and, when Keystone gave one, its catalog. */
export interface Session {
  token: string;
  catalog: CatalogEntry[];
}

export type FetchLike = typeof fetch;

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return text;
  }
}

const trim = (u: string): string => u.replace(/\/+$/, '');

/** `POST /auth/tokens` with a password: the token and catalog. */
export async function passwordLogin(a: PasswordAuth, doFetch: FetchLike, timeoutMs: number): Promise<Session> {
  const url = `${identityV3Url(a.authUrl)}/auth/tokens`;
  const res = await doFetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(passwordAuthRequest(a)),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return session(res, url, 'POST');
}

/** `GET /auth/tokens` of a token with itself: its catalog. */
export async function tokenCatalog(authUrl: string, token: string, doFetch: FetchLike, timeoutMs: number): Promise<Session> {
  const url = `${identityV3Url(authUrl)}/auth/tokens`;
  const res = await doFetch(url, {
    headers: { 'X-Auth-Token': token, 'X-Subject-Token': token, Accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const s = await session(res, url, 'GET');
  return { token, catalog: s.catalog };
}

async function session(res: Response, url: string, method: string): Promise<Session> {
  const body = await readJson(res);
  if (!res.ok) throw errorFromAnswer({ status: res.status, method, url, body, requestId: res.headers.get('x-openstack-request-id') });
  const token = res.headers.get('x-subject-token');
  if (!token) throw new ZunClientError(`${method} ${url} answered no X-Subject-Token`);
  const catalog = (body as { token?: { catalog?: CatalogEntry[] } } | null)?.token?.catalog ?? [];
  return { token, catalog };
}

/** The URL of `serviceType` (default `container`) at `interface` (default `public`, and `region` if given) in a catalog. */
export function endpointFromCatalog(catalog: CatalogEntry[], opts: { serviceType?: string; interface?: 'public' | 'internal' | 'admin'; region?: string } = {}): string {
  const type = opts.serviceType ?? 'container';
  const iface = opts.interface ?? 'public';
  const url = findEndpoint(catalog, type, iface, opts.region ?? null);
  if (!url) throw new ZunClientError(`the catalog has no ${iface} endpoint of service type ${type}${opts.region ? ` in ${opts.region}` : ''}`);
  return trim(url);
}
