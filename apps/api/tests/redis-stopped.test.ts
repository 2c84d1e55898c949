import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Database } from '@zun-ts/db';
import { type BuildContainerRequest, CONDUCTOR, RpcServer, RpcTransport, unimplemented } from '@zun-ts/rpc';
import { startRedis, type TestRedis, tmpDir, waitFor } from '@zun-ts/testing';
import { TransportContainerRpc } from '../src/v1/containers/container-rpc.gateway';
import { ADMIN, ContainerApi, type Reply, zunError } from './fixtures/container-api.fixture';

function assertBusUnavailable(r: Reply, what: string): void {
  assert.equal(r.status, 503, `${what}: ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/, what);
  const e = zunError(r.body);
  assert.equal(e.code, 'container.messaging-unavailable', what);
  assert.equal(e.title, 'The message bus is unavailable (Redis cannot be reached): nothing was done. Please try again later.', what);
  assert.equal(r.headers.get('retry-after'), '5', what);
}

/**
 * Regression: with Redis stopped, `POST /v1/containers` answered 500 and left the container recorded as Error
 * "Unexpected exception occurred.". Now every request that would cast answers 503 and writes nothing, and the
 * same requests are accepted again once Redis is back.
 */
describe('redis stopped: requests that cast answer 503 and write nothing', () => {
  const prefix = `zt-rs-${randomUUID().slice(0, 8)}`;
  const dir = tmpDir('zun-api-redis-stopped-');
  let redis: TestRedis;
  let db: Database;
  let transport: RpcTransport;
  let api: ContainerApi;

  before(async () => {
    redis = await startRedis();
    db = await Database.open(`sqlite:///${dir.join('zun.sqlite')}`);
    await db.migrate();
    transport = RpcTransport.connect({ redisUrl: redis.url, prefix, callTimeoutMs: 2000, connectWaitMs: 300 });
    api = await ContainerApi.start({ db, rpc: new TransportContainerRpc(transport), flags: ['--api.auth_strategy=noauth', '--DEFAULT.rpc_response_timeout=2'] });
    await api.addComputeHost('cn-rs');
    // A first cast while Redis is up, so the API's connection is established before Redis goes.
    const warm = await api.request('POST', '/v1/containers', { body: { image: 'busybox', name: 'before-stop' } });
    assert.equal(warm.status, 202, warm.text);
  });

  after(async () => {
    await api?.close();
    await transport?.close();
    await db?.close();
    await redis?.close();
    await dir.cleanup();
  });

  test('create, capsule create, every container action, image pull and volume delete: 503 and no row written or changed', async () => {
    const running = await api.addContainer({ name: 'rs-running', status: 'Running', host: 'cn-rs' });
    const stopped = await api.addContainer({ name: 'rs-stopped', status: 'Stopped', host: 'cn-rs' });
    const paused = await api.addContainer({ name: 'rs-paused', status: 'Paused', host: 'cn-rs' });
    const volume = await db.volumes.create({
      uuid: randomUUID(), name: 'rs-vol', project_id: 'pdemo', user_id: 'demo', size: 1, status: 'available', host: 'cn-rs',
      volume_provider: 'local', auto_remove: false,
    });
    await redis.stop();
    const before = await db.rowCounts();
    const states = async (): Promise<string[]> =>
      Promise.all([running, stopped, paused].map(async (c) => {
        const row = await db.containers.getByUuid({ projectId: null, allProjects: true }, c.uuid);
        return `${row.status}/${row.task_state ?? '-'}`;
      }));
    const statesBefore = await states();
    const capsule = {
      template: { kind: 'capsule', metadata: { name: 'rs-capsule' }, spec: { containers: [{ image: 'busybox', resources: { requests: { cpu: 0.1, memory: 64 } } }] } },
    };
    const requests: [string, string, unknown][] = [
      ['POST', '/v1/containers', { image: 'busybox', name: 'while-stopped' }],
      ['POST', '/v1/containers?run=true', { image: 'busybox', name: 'run-while-stopped' }],
      ['POST', '/v1/capsules', capsule],
      ['POST', `/v1/containers/${stopped.uuid}/start`, undefined],
      ['POST', `/v1/containers/${running.uuid}/stop`, undefined],
      ['POST', `/v1/containers/${running.uuid}/reboot`, undefined],
      ['POST', `/v1/containers/${running.uuid}/pause`, undefined],
      ['POST', `/v1/containers/${paused.uuid}/unpause`, undefined],
      ['POST', `/v1/containers/${running.uuid}/kill`, undefined],
      ['POST', `/v1/containers/${stopped.uuid}/rebuild`, undefined],
      ['GET', `/v1/containers/${running.uuid}/logs`, undefined],
      ['GET', `/v1/containers/${running.uuid}/top`, undefined],
      ['GET', `/v1/containers/${running.uuid}/stats`, undefined],
      ['PATCH', `/v1/containers/${running.uuid}`, { memory: '256' }],
      ['DELETE', `/v1/containers/${stopped.uuid}`, undefined],
      ['DELETE', `/v1/containers/${running.uuid}?stop=True`, undefined],
      ['POST', '/v1/images', { repo: 'busybox', host: 'cn-rs' }],
      ['DELETE', `/v1/volumes/${volume.uuid}`, undefined],
    ];
    for (const [method, path, body] of requests) {
      const r = await api.request(method, path, { body, headers: path === '/v1/images' ? ADMIN : {} });
      assertBusUnavailable(r, `${method} ${path}`);
    }
    assert.deepEqual(await db.rowCounts(), before, 'nothing written by refused requests');
    assert.deepEqual(await states(), statesBefore, 'no state changed');
    assert.equal((await db.volumes.getByIdent({ projectId: null, allProjects: true }, volume.uuid)).status, 'available');

    // Redis back: once the API has reconnected (ioredis retries with a backoff of up to 2 s), the same create,
    // retried as a client would after a 503, is accepted and its build reaches the conductor.
    await redis.start();
    const again = await waitFor(
      async () => {
        const r = await api.request('POST', '/v1/containers', { body: { image: 'busybox', name: 'while-stopped' } });
        if (r.status !== 202) assertBusUnavailable(r, 'create while reconnecting');
        return r.status === 202 ? r : null;
      },
      { what: 'a create accepted after Redis restarted', timeoutMs: 10_000, intervalMs: 200 },
    );
    const uuid = (again.body as { uuid: string }).uuid;
    const built: string[] = [];
    const serverTransport = RpcTransport.connect({ redisUrl: redis.url, prefix });
    try {
      await new RpcServer(serverTransport).serve(CONDUCTOR, {
        ...unimplemented(CONDUCTOR),
        async buildContainer(_ctx, args: BuildContainerRequest): Promise<void> {
          built.push(args.container_uuid);
        },
      });
      await waitFor(() => built.includes(uuid), { what: 'the build of the create accepted after the restart', timeoutMs: 10_000, intervalMs: 50 });
    } finally {
      await serverTransport.close();
    }
  });
});
