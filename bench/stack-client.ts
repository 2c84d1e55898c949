// What the benchmarks that drive a running all-in-one stack share: its state dir (zun.conf, demo-openrc,
// admin-openrc), Keystone tokens, and the Zun API over keep-alive HTTP.
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { resolve } from 'node:path';
import { loadConfig, type ZunConf } from '@zun-ts/config';

export const MICROVERSION = 'container 1.40';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `[--state DIR]` (default `ZUN_STACK_STATE` or `.stack`), resolved; any other argument is refused. */
export function stateArg(argv: string[], script: string): string {
  let state = process.env.ZUN_STACK_STATE ?? '.stack';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--state') state = argv[++i] ?? state;
    else if (a.startsWith('--state=')) state = a.slice('--state='.length);
    else throw new Error(`unknown argument ${a} (usage: ${script} [--state DIR])`);
  }
  return resolve(state);
}

/** `export KEY=value` lines of an openrc file. */
export function readOpenrc(path: string): Record<string, string> {
  if (!existsSync(path)) throw new Error(`${path} does not exist: is the stack up (tools/stack up)?`);
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*export\s+([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m?.[1]) continue;
    out[m[1]] = (m[2] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

// ------------------------------------------------------------------ HTTP

export const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type RequestOptions = { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number };

/** One HTTP exchange; a GET that finds its kept-alive socket closed by the server is sent once more. */
export async function request(url: string, opts: RequestOptions = {}): Promise<HttpResult> {
  try {
    return await requestOnce(url, opts);
  } catch (err) {
    if ((opts.method ?? 'GET') !== 'GET' || (err as NodeJS.ErrnoException).code !== 'ECONNRESET') throw err;
    return requestOnce(url, opts);
  }
}

function requestOnce(url: string, opts: RequestOptions): Promise<HttpResult> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((res, rej) => {
    const req = http.request(
      url,
      {
        method: opts.method ?? 'GET',
        agent,
        headers: { Accept: 'application/json', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) } : {}), ...opts.headers },
        timeout: opts.timeoutMs ?? 30_000,
      },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString('utf8') }));
        r.on('error', rej);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${opts.method ?? 'GET'} ${url} timed out`)));
    req.on('error', rej);
    if (payload) req.write(payload);
    req.end();
  });
}

// ------------------------------------------------------------------ Keystone and the Zun API

export interface Identity {
  token: string;
  projectId: string;
  userId: string;
}

export async function keystoneToken(rc: Record<string, string>): Promise<Identity> {
  const authUrl = rc.OS_AUTH_URL;
  if (!authUrl) throw new Error('openrc without OS_AUTH_URL');
  const body = {
    auth: {
      identity: { methods: ['password'], password: { user: { name: rc.OS_USERNAME, domain: { name: rc.OS_USER_DOMAIN_NAME ?? 'Default' }, password: rc.OS_PASSWORD } } },
      scope: { project: { name: rc.OS_PROJECT_NAME, domain: { name: rc.OS_PROJECT_DOMAIN_NAME ?? 'Default' } } },
    },
  };
  const r = await request(`${authUrl.replace(/\/$/, '')}/auth/tokens`, { method: 'POST', body });
  const token = r.headers['x-subject-token'];
  if (r.status !== 201 || typeof token !== 'string') throw new Error(`Keystone refused ${rc.OS_USERNAME}: ${r.status} ${r.body.slice(0, 200)}`);
  const parsed = JSON.parse(r.body) as { token: { project: { id: string }; user: { id: string } } };
  return { token, projectId: parsed.token.project.id, userId: parsed.token.user.id };
}

export interface QuotaLimits {
  containers: number;
  memory: number;
  cpu: number;
  disk: number;
}

/** The body of `POST /v1/containers?run=true`. */
export interface RunBody {
  name: string;
  image: string;
  command: string[];
  cpu: number;
  memory: string;
  mounts?: { size?: number; source?: string; destination: string }[];
}

export class ZunApi {
  constructor(readonly base: string) {}

  private headers(who: Identity): Record<string, string> {
    return { 'X-Auth-Token': who.token, 'OpenStack-API-Version': MICROVERSION };
  }

  async run(who: Identity, body: RunBody): Promise<{ uuid: string; requestId: string }> {
    const r = await request(`${this.base}/v1/containers?run=true`, { method: 'POST', headers: this.headers(who), body });
    if (r.status !== 202) throw new Error(`POST /v1/containers?run=true: ${r.status} ${r.body.slice(0, 300)}`);
    const rid = r.headers['x-openstack-request-id'];
    return { uuid: (JSON.parse(r.body) as { uuid: string }).uuid, requestId: typeof rid === 'string' ? rid : '' };
  }

  /** Status of one container, or null once it is gone. */
  async status(who: Identity, uuid: string): Promise<{ status: string; reason: string | null } | null> {
    const r = await request(`${this.base}/v1/containers/${uuid}`, { headers: this.headers(who) });
    if (r.status === 404) return null;
    if (r.status !== 200) throw new Error(`GET /v1/containers/${uuid}: ${r.status} ${r.body.slice(0, 200)}`);
    const c = JSON.parse(r.body) as { status: string; status_reason: string | null };
    return { status: c.status, reason: c.status_reason };
  }

  async list(who: Identity): Promise<{ uuid: string; status: string; status_reason: string | null }[]> {
    const r = await request(`${this.base}/v1/containers`, { headers: this.headers(who), timeoutMs: 120_000 });
    if (r.status !== 200) throw new Error(`GET /v1/containers: ${r.status} ${r.body.slice(0, 200)}`);
    return (JSON.parse(r.body) as { containers: { uuid: string; status: string; status_reason: string | null }[] }).containers;
  }

  /** Plain list request for the latency figures; the body is read but not parsed. */
  async listRaw(who: Identity): Promise<number> {
    // Generous: with many rows and 16 in flight a slow list must still be measured, not abandoned.
    const r = await request(`${this.base}/v1/containers`, { headers: this.headers(who), timeoutMs: 120_000 });
    if (r.status !== 200) throw new Error(`GET /v1/containers: ${r.status} ${r.body.slice(0, 200)}`);
    return r.body.length;
  }

  /** Containers of the caller's project whose name starts with `prefix` (to sweep up after a failure). */
  async named(who: Identity, prefix: string): Promise<string[]> {
    const r = await request(`${this.base}/v1/containers`, { headers: this.headers(who), timeoutMs: 120_000 });
    if (r.status !== 200) return [];
    const rows = (JSON.parse(r.body) as { containers: { uuid: string; name: string | null }[] }).containers;
    return rows.filter((x) => x.name?.startsWith(prefix)).map((x) => x.uuid);
  }

  async quota(admin: Identity, projectId: string, defaults = false): Promise<QuotaLimits> {
    const r = await request(`${this.base}/v1/quotas/${projectId}${defaults ? '/defaults' : ''}`, { headers: this.headers(admin) });
    if (r.status !== 200) throw new Error(`GET /v1/quotas/${projectId}: ${r.status} ${r.body.slice(0, 200)}`);
    return JSON.parse(r.body) as QuotaLimits;
  }

  async setQuota(admin: Identity, projectId: string, limits: QuotaLimits | null): Promise<void> {
    const r = limits
      ? await request(`${this.base}/v1/quotas/${projectId}`, { method: 'PUT', headers: this.headers(admin), body: limits })
      : await request(`${this.base}/v1/quotas/${projectId}`, { method: 'DELETE', headers: this.headers(admin) });
    if (r.status !== 200 && r.status !== 204) throw new Error(`${limits ? 'PUT' : 'DELETE'} /v1/quotas/${projectId}: ${r.status} ${r.body.slice(0, 200)}`);
  }

  async forceDelete(admin: Identity, uuid: string): Promise<void> {
    const r = await request(`${this.base}/v1/containers/${uuid}?force=True`, { method: 'DELETE', headers: this.headers(admin) });
    if (r.status !== 204 && r.status !== 202 && r.status !== 404) throw new Error(`DELETE /v1/containers/${uuid}?force=True: ${r.status} ${r.body.slice(0, 200)}`);
  }
}

// ------------------------------------------------------------------ the stack and its containers

export interface Stack {
  state: string;
  conf: ZunConf;
  /** zun.conf as text, for options whose absence matters (the parsed conf fills in defaults). */
  confText: string;
  api: ZunApi;
  demo: Identity;
  admin: Identity;
}

export type StackConf = Pick<Stack, 'state' | 'conf' | 'confText'>;

/** The stack's zun.conf, parsed and as text. */
export function readStackConf(state: string): StackConf {
  const confFile = resolve(state, 'zun.conf');
  if (!existsSync(confFile)) throw new Error(`${confFile} does not exist: start the stack (tools/stack up) or pass --state DIR`);
  const conf = loadConfig(['--config-file', confFile], { env: {}, warn: () => undefined });
  return { state, conf, confText: readFileSync(confFile, 'utf8') };
}

/** zun.conf, the API address and tokens for demo and admin, from the stack's state dir. */
export async function openStack(state: string): Promise<Stack> {
  const { conf, confText } = readStackConf(state);
  const apiHost = conf.api.host_ip === '0.0.0.0' ? '127.0.0.1' : conf.api.host_ip;
  const api = new ZunApi(`http://${apiHost}:${conf.api.port}`);
  const [demo, admin] = await Promise.all([keystoneToken(readOpenrc(resolve(state, 'demo-openrc'))), keystoneToken(readOpenrc(resolve(state, 'admin-openrc')))]);
  return { state, conf, confText, api, demo, admin };
}

/** The busybox image the stack's compute pulls (`[docker] default_registry`), as a full reference. */
export function busyboxImage(conf: ZunConf): string {
  const registry = conf.docker.default_registry;
  return registry ? `${registry}/busybox:latest` : 'busybox:latest';
}

export interface RunningSample {
  ms: number;
  uuid: string;
  requestId: string;
  sentAt: number;
  runningAt: number;
}

/**
 * POST run=true, then GET every `pollMs` until Running; ms from the POST to the GET that saw Running.
 * `accepted` hears the uuid as soon as the POST is answered (so a caller can clean it up whatever follows).
 */
export async function runToRunning(
  api: ZunApi,
  who: Identity,
  body: RunBody,
  opts: { pollMs: number; timeoutMs: number; accepted: (uuid: string) => void },
): Promise<RunningSample> {
  const sentAt = Date.now();
  const t0 = performance.now();
  const { uuid, requestId } = await api.run(who, body);
  opts.accepted(uuid);
  const deadline = t0 + opts.timeoutMs;
  for (;;) {
    const polled = performance.now();
    const s = await api.status(who, uuid);
    if (s?.status === 'Running') return { ms: performance.now() - t0, uuid, requestId, sentAt, runningAt: Date.now() };
    if (!s || s.status === 'Error') throw new Error(`container ${uuid} ended ${s ? `in Error: ${s.reason ?? ''}` : 'deleted'} instead of Running`);
    if (performance.now() > deadline) throw new Error(`container ${uuid} not Running after ${opts.timeoutMs} ms (status ${s.status})`);
    await sleep(Math.max(0, opts.pollMs - (performance.now() - polled)));
  }
}

/**
 * Force-deletes `uuids` as admin and waits until the owner's list no longer shows them; returns those still
 * listed at the deadline (none when all went).
 */
export async function deleteAndWait(api: ZunApi, admin: Identity, owner: Identity, uuids: string[], timeoutMs: number): Promise<string[]> {
  await Promise.all(uuids.map((u) => api.forceDelete(admin, u)));
  const deadline = performance.now() + timeoutMs;
  let left = [...uuids];
  while (left.length && performance.now() < deadline) {
    const still = new Set((await api.list(owner)).map((x) => x.uuid));
    left = left.filter((u) => still.has(u));
    if (left.length) await sleep(100);
  }
  return left;
}
