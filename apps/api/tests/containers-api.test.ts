import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type RequestContext } from '@zun-ts/common';
import { Database } from '@zun-ts/db';
import { type Container } from '@zun-ts/objects';
import { type BuildContainerRequest, COMPUTE, CONDUCTOR, type ContainerLogsRequest, type ContainerRef, RpcServer, RpcTransport, unimplemented } from '@zun-ts/rpc';
import { TransportContainerRpc } from '../src/v1/containers/container-rpc.gateway';
import { ADMIN, ContainerApi, type Reply } from './fixtures/container-api.fixture';
import { requireEnv } from './fixtures/keystone-env';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');

interface Received {
  method: string;
  ctx: RequestContext;
  args: unknown;
}

/** Waits until `probe` gives something, polling. */
async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A Zun error answer: 4xx, JSON, `{"errors": [{request_id: "", code: "container.…", status, title, detail, links}]}`. */
function assertClientError(r: Reply, what: string): void {
  assert.ok(r.status >= 400 && r.status < 500, `${what}: expected a 4xx, got ${r.status} ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/, what);
  const body = r.body as { errors: Record<string, unknown>[] };
  assert.equal(body.errors.length, 1, what);
  const e = body.errors[0] as Record<string, unknown>;
  assert.deepEqual(Object.keys(e).sort(), ['code', 'detail', 'links', 'request_id', 'status', 'title'], what);
  assert.equal(e['request_id'], '', what);
  assert.equal(e['status'], r.status, what);
  assert.match(String(e['code']), /^container\./, what);
  assert.ok(String(e['detail']).length > 0, what);
}

describe('container API over real Redis and SQLite', () => {
  const prefix = `zt-api-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'zun-api-containers-'));
  const conductorGot: Received[] = [];
  const computeGot: Received[] = [];
  let db: Database;
  let apiTransport: RpcTransport;
  let serverTransport: RpcTransport;
  let api: ContainerApi;

  before(async () => {
    db = await Database.open(`sqlite:///${join(dir, 'zun.sqlite')}`);
    await db.migrate();
    apiTransport = RpcTransport.connect({ redisUrl, prefix, callTimeoutMs: 1000 });
    serverTransport = RpcTransport.connect({ redisUrl, prefix });
    const server = new RpcServer(serverTransport);
    await server.serve(CONDUCTOR, {
      ...unimplemented(CONDUCTOR),
      async buildContainer(ctx: RequestContext, args: BuildContainerRequest): Promise<void> {
        conductorGot.push({ method: 'buildContainer', ctx, args });
      },
    });
    await server.serve(COMPUTE, {
      ...unimplemented(COMPUTE),
      async containerStart(ctx: RequestContext, args: ContainerRef): Promise<void> {
        computeGot.push({ method: 'containerStart', ctx, args });
      },
      async containerLogs(ctx: RequestContext, args: ContainerLogsRequest): Promise<string> {
        computeGot.push({ method: 'containerLogs', ctx, args });
        return `logs of ${args.container_uuid}\n`;
      },
    }, { host: 'cn-int' });
    api = await ContainerApi.start({
      db,
      rpc: new TransportContainerRpc(apiTransport),
      flags: ['--api.auth_strategy=noauth', '--DEFAULT.rpc_response_timeout=1'],
    });
    await api.addComputeHost('cn-int');
    // Registered and up, but nobody serves its queue.
    await api.addComputeHost('cn-silent');
  });

  after(async () => {
    await api?.close();
    await apiTransport?.close();
    await serverTransport?.close();
    await db?.close();
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    conductorGot.length = 0;
    computeGot.length = 0;
  });

  test('create: the row (Creating), the create action and a buildContainer message on the conductor queue', async () => {
    const r = await api.request('POST', '/v1/containers?run=true', {
      body: { image: 'busybox', name: 'int-1', command: ['sleep', '30'], memory: '128', auto_remove: false, labels: {}, environment: {}, hints: {}, nets: [], mounts: [] },
    });
    assert.equal(r.status, 202, r.text);
    const uuid = (r.body as { uuid: string }).uuid;
    const requestId = r.headers.get('x-openstack-request-id');
    const row = await db.containers.getByUuid({ projectId: 'pdemo', allProjects: false }, uuid);
    assert.equal(row.status, 'Creating');
    assert.equal(row.memory, '128');
    const actions = await db.actions.list(uuid);
    assert.deepEqual(actions.map((a) => [a.action, a.request_id]), [['create', requestId]]);

    const msg = await waitFor(() => conductorGot[0], 'buildContainer on the conductor queue');
    assert.equal(msg.method, 'buildContainer');
    assert.deepEqual(msg.args, { container_uuid: uuid, run: true, hints: {}, availability_zone: null, requested_host: null });
    assert.equal(msg.ctx.requestId, requestId);
    assert.equal(msg.ctx.projectId, 'pdemo');
    assert.equal(msg.ctx.authToken, undefined, 'the token never crosses RPC');
  });

  test('an action is cast to the host\'s own queue; a synchronous call gets the host\'s answer', async () => {
    const c = await api.addContainer({ status: 'Stopped', host: 'cn-int' });
    const start = await api.request('POST', `/v1/containers/${c.uuid}/start`);
    assert.equal(start.status, 202);
    const got = await waitFor(() => computeGot.find((m) => m.method === 'containerStart'), 'containerStart on compute.cn-int');
    assert.deepEqual(got.args, { container_uuid: c.uuid });
    assert.equal(got.ctx.requestId, start.headers.get('x-openstack-request-id'));
    assert.equal((await db.containers.getByUuid({ projectId: null, allProjects: true }, c.uuid)).task_state, 'container_starting');

    const running = await api.addContainer({ status: 'Running', host: 'cn-int' });
    const logs = await api.request('GET', `/v1/containers/${running.uuid}/logs?stdout=True&stderr=True&timestamps=False&tail=all`);
    assert.equal(logs.status, 200);
    assert.equal(logs.body, `logs of ${running.uuid}\n`);
  });

  test('a host that never answers: the call times out after rpc_response_timeout (5xx, details hidden)', async () => {
    const c = await api.addContainer({ status: 'Running', host: 'cn-silent' });
    const t0 = Date.now();
    const r = await api.request('GET', `/v1/containers/${c.uuid}/logs`);
    assert.equal(r.status, 504);
    assert.ok(Date.now() - t0 >= 900, 'waited for the timeout');
    const e = (r.body as { errors: { code: string; detail: string }[] }).errors[0];
    assert.equal(e?.code, 'container.');
    assert.doesNotMatch(e?.detail ?? '', /cn-silent|Timed out/);
  });

  test('bad input on every route: 4xx in Zun\'s format, never 500, nothing written, nothing sent', async () => {
    const stopped = await api.addContainer({ name: 'bad-input-stopped', status: 'Stopped', host: 'cn-int' });
    const running = await api.addContainer({ name: 'bad-input-running', status: 'Running', host: 'cn-int' });
    const creating = await api.addContainer({ name: 'bad-input-creating', status: 'Creating' });
    const counts = await api.counts();
    const snapshot = async (c: Container): Promise<string> => JSON.stringify(await db.containers.getByUuid({ projectId: null, allProjects: true }, c.uuid));
    const before = await Promise.all([stopped, running, creating].map(snapshot));
    const s = `/v1/containers/${stopped.uuid}`;
    const ru = `/v1/containers/${running.uuid}`;
    const cr = `/v1/containers/${creating.uuid}`;
    const cases: [string, string, Parameters<ContainerApi['request']>[2]?][] = [
      ['POST', '/v1/containers', { body: { image: 'busybox', name: 'x' } }],
      ['POST', '/v1/containers', { body: { image: 'busybox', name: 'has space' } }],
      ['POST', '/v1/containers', { body: { image: 'busybox', memory: '1g' } }],
      ['POST', '/v1/containers', { body: { image: 'busybox', memory: 100000 } }],
      ['POST', '/v1/containers', { body: { image: 'busybox', cpu: '0' } }],
      ['POST', '/v1/containers', { body: { image: 'busybox', cpu: 'fast' } }],
      ['POST', '/v1/containers', { body: { image: 'busybox', disk: '0' } }],
      ['POST', '/v1/containers', { body: { image: 'busybox', host: 'cn-int' }, version: '1.38', headers: ADMIN }],
      ['POST', '/v1/containers', { body: { image: 'busybox', entrypoint: ['sh'] }, version: '1.39' }],
      ['POST', '/v1/containers', { body: { image: 'busybox', auto_remove: false }, version: null }],
      ['POST', '/v1/containers', { body: { image: 'busybox', restart_policy: { Name: 'always', MaximumRetryCount: '3' } } }],
      ['POST', '/v1/containers', { body: { image: 'busybox', exposed_ports: { '80/sctp': {} } } }],
      ['POST', '/v1/containers', { body: { image: 'busybox', runtime: 'runc' } }],
      ['POST', '/v1/containers', { body: { image: 'busybox', privileged: true }, headers: ADMIN }],
      ['POST', '/v1/containers', { body: '{"image": "busybox"' }],
      ['POST', '/v1/containers', { body: '{"image": "busybox"}', contentType: 'text/plain' }],
      ['POST', '/v1/containers?run=perhaps', { body: { image: 'busybox' } }],
      ['GET', '/v1/containers?limit=-5'],
      ['GET', '/v1/containers?colour=red'],
      ['GET', '/v1/containers?host=cn-int'],
      ['GET', '/v1/containers/no-such-container'],
      ['PATCH', s, { body: { memory: 'lots' } }],
      ['PATCH', s, { body: { cpu: 99 } }],
      ['PATCH', s, { body: { image: 'alpine' } }],
      ['PATCH', s, { body: '{"name": "x",' }],
      ['PATCH', cr, { body: { name: 'renamed' } }],
      ['DELETE', ru],
      ['DELETE', `${s}?purge=True`],
      ['DELETE', `${s}?force=True`, { version: '1.6', headers: ADMIN }],
      ['POST', `${ru}/start`],
      ['POST', `${s}/stop`],
      ['POST', `${ru}/stop?timeout=-1`],
      ['POST', `${s}/reboot?timeout=later`],
      ['POST', `${s}/pause`],
      ['POST', `${ru}/unpause`],
      ['POST', `${ru}/kill?signal=SIGNOPE`],
      ['POST', `${s}/kill`],
      ['POST', `${cr}/rebuild`],
      ['POST', `${s}/rebuild?image_driver=floppy`],
      ['POST', `${s}/rename?name=x`, { version: '1.13' }],
      ['POST', `${s}/rename?name=fine-name`, { version: '1.14' }],
      ['POST', `${s}/rename?name=${stopped.name as string}`, { version: '1.13' }],
      ['GET', `${ru}/logs?stdout=sometimes`],
      ['GET', `${cr}/logs`],
      ['POST', `${ru}/execute`],
      ['POST', `${ru}/execute?command=ls&run=yes`],
      ['POST', `${s}/execute?command=ls`],
      ['POST', `${ru}/execute_resize?exec_id=short&w=1&h=1`],
      ['POST', `${ru}/resize?w=0&h=10`],
      ['GET', `${ru}/top?ps_args=aux&extra=1`],
      ['GET', `${s}/stats`],
      ['GET', `${ru}/get_archive`],
      ['POST', `${ru}/put_archive?path=/tmp`, { body: { data: '***' } }],
      ['POST', `${ru}/commit`],
      ['POST', `${cr}/commit?repository=r`],
      ['POST', `${ru}/resize_container`, { body: { memory: '1' } }],
      ['GET', `${ru}/network_list`, { version: '1.12' }],
      ['GET', `${ru}/container_actions/req-unknown`],
      ['POST', `${ru}/self_destruct`],
      ['PUT', ru, { body: {} }],
      ['GET', '/v1/hosts', { version: '1.3', headers: ADMIN }],
      ['GET', '/v1/hosts'],
      ['GET', '/v1/hosts/no-such-host', { headers: ADMIN }],
    ];
    for (const [method, path, opts] of cases) {
      const r = await api.request(method, path, opts);
      assertClientError(r, `${method} ${path} ${JSON.stringify(opts?.body ?? '')}`);
    }
    assert.deepEqual(await api.counts(), counts, 'no container or action row was added or removed');
    assert.deepEqual(await Promise.all([stopped, running, creating].map(snapshot)), before, 'no container changed');
    // Give anything wrongly queued time to arrive.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(conductorGot, []);
    assert.deepEqual(computeGot, []);
  });
});
