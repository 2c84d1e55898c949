import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { type Logger, type RequestContext, silentLogger } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { Database, type NewContainer } from '@zun-ts/db';
import { type Container } from '@zun-ts/objects';
import { type ComputeClient, type ConductorClient } from '@zun-ts/rpc';
import { type Clock } from '../../../api.tokens';
import { createApiApp } from '../../../main';
import { listen, testConf, type TestServer } from '../../../testing/test-api';
import { type ContainerBackend, type ContainerRpc } from '../containers.tokens';

/** One message the API sent. */
export interface SentMessage {
  kind: 'call' | 'cast';
  topic: string;
  method: string;
  ctx: RequestContext;
  args: Record<string, unknown>;
}

/** Answers calls: by method name; a thrown error travels back to the API as the RPC error would. */
export type CallHandler = (method: string, args: Record<string, unknown>, topic: string) => unknown;

/** A {@link ContainerRpc} that records every message and answers calls from {@link CallHandler}. */
export class RecordingRpc implements ContainerRpc {
  readonly sent: SentMessage[] = [];
  onCall: CallHandler = () => null;
  /** When set, casts fail with it (Redis unreachable …). */
  castError: Error | null = null;

  private client(topic: string): { call: (method: string, ctx: RequestContext, args: unknown) => Promise<unknown>; cast: (method: string, ctx: RequestContext, args: unknown) => Promise<void> } {
    const record = (kind: 'call' | 'cast', method: string, ctx: RequestContext, args: unknown): void => {
      this.sent.push({ kind, topic, method, ctx, args: args as Record<string, unknown> });
    };
    return {
      call: (method, ctx, args) => {
        record('call', method, ctx, args);
        return Promise.resolve().then(() => this.onCall(method, args as Record<string, unknown>, topic));
      },
      cast: (method, ctx, args) => {
        if (this.castError) return Promise.reject(this.castError);
        record('cast', method, ctx, args);
        return Promise.resolve();
      },
    };
  }

  conductor(): ConductorClient {
    return this.client('conductor') as unknown as ConductorClient;
  }

  compute(host: string): ComputeClient {
    return this.client(`compute.${host}`) as unknown as ComputeClient;
  }

  /** Messages of one method. */
  of(method: string): SentMessage[] {
    return this.sent.filter((m) => m.method === method);
  }
}

/** Identities as the noauth pipeline reads them from headers. */
export const ADMIN = { 'X-User-Id': 'admin', 'X-Project-Id': 'padmin', 'X-Roles': 'admin,member,reader' };
export const DEMO = { 'X-User-Id': 'demo', 'X-Project-Id': 'pdemo', 'X-Roles': 'member,reader' };
export const ALT = { 'X-User-Id': 'alt', 'X-Project-Id': 'palt', 'X-Roles': 'member,reader' };

export interface ContainerApiOptions {
  flags?: string[];
  clock?: Clock;
  logger?: Logger;
  /** A database to use instead of a fresh in-memory SQLite one. */
  db?: Database;
  /** RPC clients to use instead of the recording fake (e.g. the real transport). */
  rpc?: ContainerRpc;
}

/** An answer, with the body parsed when it is JSON. */
export interface Reply {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Microversion, e.g. `1.40`; none = no header (1.1). @default '1.40' */
  version?: string | null;
  /** A value to send as JSON, or a raw string body. */
  body?: unknown;
  contentType?: string | null;
}

/** The API (whole pipeline, noauth) over a SQLite database with a recording RPC. */
export class ContainerApi {
  private constructor(
    readonly server: TestServer,
    readonly db: Database,
    /** What the API sent (unused when real RPC clients were given). */
    readonly rpc: RecordingRpc,
    readonly conf: ZunConf,
    private readonly ownsDb: boolean,
  ) {}

  static async start(opts: ContainerApiOptions = {}): Promise<ContainerApi> {
    const conf = testConf(opts.flags ?? ['--api.auth_strategy=noauth']);
    const ownsDb = !opts.db;
    const db = opts.db ?? (await Database.open('sqlite:///:memory:'));
    if (ownsDb) await db.migrate();
    const rpc = new RecordingRpc();
    const backend: ContainerBackend = { stores: db, rpc: opts.rpc ?? rpc };
    const app = createApiApp(conf, opts.logger ?? silentLogger(), db.services, opts.clock ? { clock: opts.clock } : {}, backend);
    return new ContainerApi(await listen(app), db, rpc, conf, ownsDb);
  }

  get url(): string {
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.server.close();
    if (this.ownsDb) await this.db.close();
  }

  /** A request as python-zunclient sends it: JSON content type (octet-stream on DELETE), microversion 1.40. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { Accept: 'application/json', ...DEMO, ...opts.headers };
    const ct = opts.contentType === undefined ? (method === 'DELETE' ? 'application/octet-stream' : 'application/json') : opts.contentType;
    if (ct !== null) headers['Content-Type'] = ct;
    const version = opts.version === undefined ? '1.40' : opts.version;
    if (version !== null) headers['OpenStack-API-Version'] = `container ${version}`;
    let body: string | undefined;
    if (opts.body !== undefined) body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    else if (method === 'POST' || method === 'PATCH' || method === 'PUT') body = '';
    const res = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  /** Inserts a container row directly (project pdemo unless given). */
  addContainer(fields: Partial<NewContainer> = {}): Promise<Container> {
    return this.db.containers.create({
      uuid: randomUUID(),
      status: 'Created',
      name: `c-${randomUUID().slice(0, 8)}`,
      project_id: 'pdemo',
      user_id: 'demo',
      image: 'busybox',
      cpu: 1,
      memory: '512',
      image_driver: 'docker',
      ...fields,
    });
  }

  /** Registers a zun-compute service that is up now, and its compute node. */
  async addComputeHost(host: string): Promise<void> {
    await this.db.services.upsert({ host, binary: 'zun-compute', topic: 'zun-compute', availability_zone: null });
    await this.db.services.heartbeat(host, 'zun-compute');
    await this.db.computeNodes.upsertFromTracker(host, { mem_total: 4096, cpus: 4, disk_total: 50 });
  }

  /** Number of rows in the container and action tables. */
  async counts(): Promise<{ containers: number; actions: number }> {
    const all = { projectId: null, allProjects: true, containerType: null };
    const rows = await this.db.containers.list(all);
    let actions = 0;
    for (const r of rows) actions += (await this.db.actions.list(r.uuid)).length;
    return { containers: rows.length, actions };
  }
}

/** The first error entry of a Zun error body. */
export function zunError(body: unknown): { code: string; status: number; title: string; detail: string } {
  const e = (body as { errors?: { code: string; status: number; title: string; detail: string }[] }).errors?.[0];
  if (!e) throw new Error(`not a Zun error body: ${JSON.stringify(body)}`);
  return e;
}
