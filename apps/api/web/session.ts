// The console's login: POST /dashboard/login with Keystone credentials, the answer kept for this browser tab.
import { ZunClient } from '@zun-ts/client';

/** What `POST /dashboard/login` answers. */
export interface Session {
  token: string;
  expires_at: string | null;
  user: { id: string; name: string };
  project: { id: string; name: string };
  roles: string[];
}

export interface Credentials {
  username: string;
  password: string;
  project?: string;
  domain?: string;
}

const KEY = 'zun-console-session';

/** Roles that see the services and hosts (the admin API). */
export function isAdmin(s: Pick<Session, 'roles'>): boolean {
  return s.roles.includes('admin');
}

/** The message to show for a failed login: the detail of Zun's error format, else the status. */
export function loginErrorMessage(status: number, body: unknown): string {
  const e = (body as { errors?: Array<{ detail?: unknown; title?: unknown }> } | null)?.errors?.[0];
  const text = typeof e?.detail === 'string' && e.detail ? e.detail : typeof e?.title === 'string' ? e.title : '';
  return text || `Login failed (HTTP ${status}).`;
}

/** Whether a stored session is still usable at `now` (a minute of margin). */
export function isFresh(s: Session, now: number): boolean {
  if (!s.expires_at) return true;
  const t = Date.parse(s.expires_at);
  return Number.isNaN(t) || t - 60_000 > now;
}

function isSession(v: unknown): v is Session {
  const s = v as Partial<Session> | null;
  return !!s && typeof s.token === 'string' && Array.isArray(s.roles) && typeof s.project?.id === 'string' && typeof s.user?.name === 'string';
}

export async function login(c: Credentials): Promise<Session> {
  const body: Credentials = { username: c.username, password: c.password, ...(c.project ? { project: c.project } : {}), ...(c.domain ? { domain: c.domain } : {}) };
  const res = await fetch('login', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });
  let answer: unknown = null;
  try {
    answer = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  if (!res.ok || !isSession(answer)) throw new Error(loginErrorMessage(res.status, answer));
  sessionStorage.setItem(KEY, JSON.stringify(answer));
  return answer;
}

export function storedSession(): Session | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as unknown;
    return isSession(v) && isFresh(v, Date.now()) ? v : null;
  } catch {
    return null;
  }
}

export function logout(): void {
  sessionStorage.removeItem(KEY);
}

/** The typed client on this API's /v1 with the session's token. */
export function clientOf(s: Session): ZunClient {
  return new ZunClient({ auth: { kind: 'token', token: s.token }, endpoint: new URL('../v1', location.href).href, timeoutMs: 30_000 });
}
