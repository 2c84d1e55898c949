import { ServiceUnavailable } from '@zun-ts/common';
import { identityV3Url } from '@zun-ts/glance-client';
import { HttpError } from '../http/http-error';

/** What the console sends to `POST /dashboard/login`. */
export interface LoginRequest {
  username: string;
  password: string;
  /** Project name; unset: the user's default project, else the first project the user has a role on. */
  project?: string;
  /** Domain of the user and the project (by name). @default 'Default' */
  domain?: string;
}

/** What the console gets back: a project-scoped token and who it stands for. */
export interface LoginAnswer {
  token: string;
  expires_at: string | null;
  user: { id: string; name: string };
  project: { id: string; name: string };
  roles: string[];
}

export type FetchLike = typeof fetch;

const BAD_CREDENTIALS = 'The username or password is not valid.';

/** The request body, checked: 400 in Zun's error format for anything else. */
export function parseLoginRequest(body: Record<string, unknown>): LoginRequest {
  const str = (k: string, required: boolean): string | undefined => {
    const v = body[k];
    if (v === undefined || v === null || v === '') {
      if (required) throw new HttpError(400, `${k} is required.`);
      return undefined;
    }
    if (typeof v !== 'string') throw new HttpError(400, `${k} must be a string.`);
    if (v.length > 255) throw new HttpError(400, `${k} is longer than 255 characters.`);
    return v;
  };
  const unknown = Object.keys(body).filter((k) => !['username', 'password', 'project', 'domain'].includes(k));
  if (unknown.length) throw new HttpError(400, `Unknown field(s): ${unknown.join(', ')}.`);
  const username = str('username', true) as string;
  const password = str('password', true) as string;
  const project = str('project', false);
  const domain = str('domain', false);
  return { username, password, ...(project ? { project } : {}), ...(domain ? { domain } : {}) };
}

interface TokenBody {
  token?: {
    expires_at?: string;
    user?: { id?: string; name?: string };
    project?: { id?: string; name?: string };
    roles?: Array<{ name?: string }>;
  };
}

/** Logs a user in to Keystone (identity v3) with a password and answers a project-scoped token. */
export class KeystoneLogin {
  private readonly base: string;

  constructor(
    authUrl: string,
    private readonly timeoutMs: number,
    private readonly doFetch: FetchLike = fetch.bind(globalThis),
  ) {
    this.base = identityV3Url(authUrl);
  }

  async login(r: LoginRequest): Promise<LoginAnswer> {
    const domain = { name: r.domain ?? 'Default' };
    const identity = { methods: ['password'], password: { user: { name: r.username, domain, password: r.password } } };
    const scope = r.project ? { project: { name: r.project, domain } } : undefined;
    const first = await this.tokens({ auth: { identity, ...(scope ? { scope } : {}) } });
    if (first.body.token?.project?.id) return answer(first.token, first.body);
    // No project asked for and no default project: the first one the user has a role on.
    const projects = await this.get<{ projects?: Array<{ id: string; name: string }> }>('/auth/projects', first.token);
    const chosen = projects.projects?.[0];
    if (!chosen) throw new HttpError(403, `User ${r.username} has no role on any project.`);
    const scoped = await this.tokens({ auth: { identity: { methods: ['token'], token: { id: first.token } }, scope: { project: { id: chosen.id } } } });
    return answer(scoped.token, scoped.body);
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.doFetch(`${this.base}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new ServiceUnavailable(`The identity service cannot be reached: ${(err as Error).message}`);
    }
  }

  private async tokens(body: object): Promise<{ token: string; body: TokenBody }> {
    const res = await this.send('/auth/tokens?nocatalog', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status === 401) throw new HttpError(401, BAD_CREDENTIALS);
    if (res.status === 400 || res.status === 403 || res.status === 404) throw new HttpError(res.status === 400 ? 400 : 401, `${BAD_CREDENTIALS} (${keystoneMessage(text) ?? `identity service answered ${res.status}`})`);
    if (!res.ok) throw new ServiceUnavailable(`The identity service answered ${res.status}.`);
    const token = res.headers.get('x-subject-token');
    if (!token) throw new ServiceUnavailable('The identity service answered no token.');
    return { token, body: JSON.parse(text) as TokenBody };
  }

  private async get<T>(path: string, token: string): Promise<T> {
    const res = await this.send(path, { headers: { 'X-Auth-Token': token, Accept: 'application/json' } });
    if (!res.ok) throw new ServiceUnavailable(`The identity service answered ${res.status} to GET ${path}.`);
    return (await res.json()) as T;
  }
}

function keystoneMessage(text: string): string | null {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof m === 'string' ? m : null;
  } catch {
    return null;
  }
}

function answer(token: string, body: TokenBody): LoginAnswer {
  const t = body.token ?? {};
  return {
    token,
    expires_at: t.expires_at ?? null,
    user: { id: t.user?.id ?? '', name: t.user?.name ?? '' },
    project: { id: t.project?.id ?? '', name: t.project?.name ?? '' },
    roles: (t.roles ?? []).map((x) => x.name ?? '').filter(Boolean),
  };
}
