// The build of a container across real processes: a conductor, a scheduler and compute hosts (bundled as
// deployed) on a real Redis, a SQLite file and a real Docker engine with images from a local registry.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { newRequestId, type RequestContext } from '@zun-ts/common';
import { Database, QUOTAS_OFF } from '@zun-ts/db';
import { type Container, isServiceUp } from '@zun-ts/objects';
import { type BuildRetry, COMPUTE, CONDUCTOR, type ConductorClient, firstAttemptJson, rpcClient, RpcTransport, storedBuildJson } from '@zun-ts/rpc';
import { dockerWithBusybox, removeContainersOf } from './fixtures/docker-env';
import { testZunConf } from './fixtures/zun-conf';
import { deleteRedisKeys, privateNetworkConf, requireEnv, type ServiceHandle, startService, uniqueName, waitFor } from '@zun-ts/testing';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');
const dockerHost = requireEnv('DOCKER_HOST', 'unix:///var/run/docker.sock');
const registry = requireEnv('ZUN_TEST_REGISTRY', '127.0.0.1:5050');

// PID 1 of busybox ignores SIGTERM unless it traps it; this one stops at once.
const LOOP = ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 0.2; done"];
const ANY = { projectId: null, allProjects: true, containerType: null } as const;
const MIB = 1024 * 1024;

describe('container build: conductor → scheduler → compute on Docker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-build-'));
  const prefix = uniqueName('build');
  const hostA = uniqueName('cna');
  const hostB = uniqueName('cnb');
  let confText = '';
  const procs: ServiceHandle[] = [];
  let db: Database;
  let docker: Docker;
  let transport: RpcTransport;
  let conductor: ConductorClient;

  const logs = (): string => procs.map((p) => `--- ${p.name} (pid ${p.pid}) ---\n${p.log()}`).join('\n');
  const start = async (app: string, host: string, extra: string[] = []): Promise<ServiceHandle> => {
    const p = await startService(app, confText, { args: [`--host=${host}`, ...extra], ready: 'started' });
    procs.push(p);
    return p;
  };
  const ctxFor = (): RequestContext => ({ requestId: newRequestId(), userId: 'user-1', projectId: 'project-1', roles: ['member'], isAdmin: false });

  /** A record as the API writes it (status Creating, action `create` recorded), and its context. */
  const NETWORKS = privateNetworkConf();

  async function newContainer(patch: Partial<Container> = {}, opts: { storeBuild?: boolean } = {}): Promise<{ c: Container; ctx: RequestContext }> {
    const ctx = ctxFor();
    const uuid = randomUUID();
    // As the API writes it: with a port on the project's default network.
    const network = await db.networks.ensureDefault(ctx.projectId ?? 'p', ctx.userId, { pool: NETWORKS.default_pool, prefix: 24, segmentationMin: NETWORKS.segmentation_id_min });
    const c = await db.quotas.createContainer(
      {
        uuid,
        status: 'Creating',
        name: uniqueName('ct'),
        user_id: ctx.userId,
        image: 'busybox',
        image_pull_policy: 'ifnotpresent',
        cpu: 0.5,
        memory: '64',
        command: LOOP,
        labels: { suite: prefix },
        ...patch,
        project_id: ctx.projectId ?? 'p',
      },
      { containers: 1, cpu: 0, memory: 0, disk: 0 },
      QUOTAS_OFF,
      undefined,
      { ports: [{ port_uuid: randomUUID(), network_uuid: network.uuid, requested_ip: null }] },
      // as the API stores it with the row
      opts.storeBuild ? firstAttemptJson(ctx, { container_uuid: uuid, run: true, hints: {}, availability_zone: null, requested_host: null }) : undefined,
    );
    await db.actions.start(ctx, c.uuid, 'create', ctx.requestId);
    return { c, ctx };
  }

  const buildContainer = (ctx: RequestContext, uuid: string, run = true): Promise<void> =>
    conductor.cast('buildContainer', ctx, { container_uuid: uuid, run, hints: {}, availability_zone: null, requested_host: null });

  const record = (uuid: string): Promise<Container | null> => db.containers.getByUuid(ANY, uuid).catch(() => null);

  const waitStatus = (uuid: string, statuses: string[], timeoutMs = 30_000): Promise<Container> =>
    waitFor(async () => {
      const c = await record(uuid);
      return c && statuses.includes(c.status) && c.task_state === null ? c : null;
    }, { timeoutMs, what: `container ${uuid} in ${statuses.join('/')}`, context: logs });

  const engineContainers = async (uuid: string): Promise<Docker.ContainerInfo[]> =>
    (await docker.listContainers({ all: true, filters: { name: [`zun-${uuid}`] } })).filter((c) => c.Names.includes(`/zun-${uuid}`));

  before(async () => {
    docker = await dockerWithBusybox(dockerHost, registry);
    const dbFile = join(dir, 'zun.sqlite');
    const migrator = await Database.open(`sqlite:///${dbFile}`);
    await migrator.migrate();
    await migrator.close();
    db = await Database.open(`sqlite:///${dbFile}`);
    confText = testZunConf(
      { dir, redisUrl, prefix },
      { DEFAULT: { service_down_time: 10, periodic_interval: 1 }, docker: { docker_remote_api_host: dockerHost, default_registry: registry } },
    );
    transport = RpcTransport.connect({ redisUrl, prefix, callTimeoutMs: 20_000 });
    conductor = rpcClient(transport, CONDUCTOR);
    await start('conductor', uniqueName('cond'));
    await start('scheduler', uniqueName('sched'));
    await start('compute', hostA);
    // The compute host registers through the conductor and reports its resources at start.
    await waitFor(async () => {
      const [svc, node] = await Promise.all([db.services.get(hostA, 'zun-compute'), db.computeNodes.get(hostA)]);
      return svc && isServiceUp(svc, 10) && node && node.mem_total > 0;
    }, { timeoutMs: 30_000, what: 'compute host A registered with its resources', context: logs });
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop(40_000)));
    await transport?.close();
    await db?.close();
    if (docker) await removeContainersOf(docker, [hostA, hostB]);
    await deleteRedisKeys(redisUrl, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  let running: Container;

  test('buildContainer: scheduled, claimed, created on the engine with its limits and started', async () => {
    const before = await db.computeNodes.get(hostA);
    const { c, ctx } = await newContainer({ environment: { ZT: 'on' }, workdir: '/tmp', hostname: 'zt-host' });
    const t0 = Date.now();
    await buildContainer(ctx, c.uuid);
    running = await waitStatus(c.uuid, ['Running', 'Error']);
    const ms = Date.now() - t0;
    assert.equal(running.status, 'Running', running.status_reason ?? '');
    assert.equal(running.host, hostA);
    assert.ok(running.container_id);
    assert.equal(running.image_driver, 'docker');
    assert.equal(running.hostname, 'zt-host');
    assert.ok(running.addresses && Object.keys(running.addresses).length > 0, 'addresses recorded');

    const raw = await docker.getContainer(`zun-${c.uuid}`).inspect();
    assert.equal(raw.Id, running.container_id);
    assert.equal(raw.State.Running, true);
    assert.equal(raw.HostConfig.Memory, 64 * MIB);
    assert.equal(raw.HostConfig.CpuShares, 512);
    assert.equal(raw.Config.Image, `${registry}/busybox:latest`);
    assert.equal(raw.Config.Labels['zun.container.uuid'], c.uuid);
    assert.equal(raw.Config.Labels.suite, prefix);
    assert.ok(raw.Config.Env.includes('ZT=on'));
    assert.equal(raw.Config.WorkingDir, '/tmp');

    const node = await db.computeNodes.get(hostA);
    assert.equal((node?.mem_used ?? 0) - (before?.mem_used ?? 0), 64, 'the claim charged the host once');
    assert.equal(Math.round(((node?.cpu_used ?? 0) - (before?.cpu_used ?? 0)) * 10) / 10, 0.5);
    const claim = await db.computeNodes.getClaim(c.uuid);
    assert.deepEqual([claim?.hostname, claim?.released_at], [hostA, null]);

    const action = await db.actions.get(c.uuid, ctx.requestId);
    const events = Object.fromEntries((action?.events ?? []).map((e) => [e.event, e.result]));
    assert.deepEqual(events, {
      conductor__schedule_and_build: 'Success',
      compute__do_container_create: 'Success',
      compute__do_container_start: 'Success',
    });
    await waitFor(async () => (await db.actions.get(c.uuid, ctx.requestId))?.finish_time, { timeoutMs: 5_000, what: 'the create action finished', context: logs });
    console.log(`# build to Running: ${ms} ms`);
  });

  test('a build whose message was lost (a flushed Redis: never delivered) is run again from the request stored with the container', async () => {
    // What broke: the request lived only in the bus message, so the container stayed Creating on no host for ever.
    const { c } = await newContainer({}, { storeBuild: true });
    const done = await waitStatus(c.uuid, ['Running'], 60_000);
    assert.equal(done.host, hostA);
    assert.equal((await engineContainers(c.uuid)).length, 1);
    assert.ok(await db.containers.buildRequest(c.uuid), 'the stored request stays until the container is deleted');
  });

  test('a create cast lost on the bus after the build placed the container on a live host is cast again (a flushed Redis left it Creating until build_timeout)', async () => {
    // What broke: the claim and the host were recorded, the containerCreate message was lost with Redis's data, and
    // nothing ever sent it again. Here the build's writes are made by hand and the cast is never sent.
    const { c, ctx } = await newContainer();
    const retry: BuildRetry = { request: { container_uuid: c.uuid, run: true, hints: {}, availability_zone: null, requested_host: null }, attempt: 1, hosts: [hostA] };
    await db.computeNodes.claimForContainer(c.uuid, hostA, { cpu: 0.5, memory: 64, disk: 0 }, {}, storedBuildJson(ctx, retry));
    await db.containers.update(c.uuid, { host: hostA });
    const done = await waitStatus(c.uuid, ['Running', 'Error'], 60_000);
    assert.equal(done.status, 'Running', done.status_reason ?? '');
    assert.equal((await engineContainers(c.uuid)).length, 1);
    assert.match(logs(), new RegExp(`"containerUuid":"${c.uuid}"[^\n]*"outcome":"recast"[^\n]*"msg":"build recovered"`));
  });

  test('containerCreate delivered three times at once makes one engine container', async () => {
    const { c, ctx } = await newContainer();
    // Placed by hand as the conductor would: claim, then host.
    await db.computeNodes.claimForContainer(c.uuid, hostA, { cpu: 0.5, memory: 64, disk: 0 }, {});
    const placed = await db.containers.update(c.uuid, { host: hostA });
    const compute = rpcClient(transport, COMPUTE, hostA);
    const retry: BuildRetry = { request: { container_uuid: c.uuid, run: true, hints: {}, availability_zone: null, requested_host: null }, attempt: 1, hosts: [hostA] };
    const req = { container_uuid: c.uuid, container: placed, run: true, retry };
    await Promise.all([compute.cast('containerCreate', ctx, req), compute.cast('containerCreate', ctx, req), compute.cast('containerCreate', ctx, req)]);
    const done = await waitStatus(c.uuid, ['Running', 'Error']);
    assert.equal(done.status, 'Running', done.status_reason ?? '');
    await compute.cast('containerCreate', ctx, req); // and once more, late
    await new Promise((r) => setTimeout(r, 1000));
    const engine = await engineContainers(c.uuid);
    assert.equal(engine.length, 1, 'one engine container');
    assert.equal(engine[0]?.Id, (await record(c.uuid))?.container_id);
    assert.equal((await record(c.uuid))?.status, 'Running');
  });

  test('no host fits (memory too big) → Error "There are not enough hosts available.", nothing claimed', async () => {
    const { c, ctx } = await newContainer({ memory: '99999999' });
    await buildContainer(ctx, c.uuid);
    const failed = await waitStatus(c.uuid, ['Error', 'Running']);
    assert.equal(failed.status, 'Error');
    assert.equal(failed.status_reason, 'There are not enough hosts available.');
    assert.equal(failed.host, null);
    assert.equal(await db.computeNodes.getClaim(c.uuid), null);
    const action = await db.actions.get(c.uuid, ctx.requestId);
    assert.deepEqual(action?.events.map((e) => [e.event, e.result, e.traceback]), [['conductor__schedule_and_build', 'Error', 'There are not enough hosts available.']]);
    assert.equal(action?.message, 'Error');
    assert.equal((await engineContainers(c.uuid)).length, 0);
  });

  test('a container stopped behind Zun\'s back is Stopped in the database within a second (engine events)', async () => {
    const t0 = Date.now();
    await docker.getContainer(`zun-${running.uuid}`).kill();
    await waitStatus(running.uuid, ['Stopped'], 5_000);
    const ms = Date.now() - t0;
    assert.ok(ms < 1500, `synced in ${ms} ms`);
    console.log(`# engine event to database: ${ms} ms`);
    // The engine's "Exited(137) N seconds ago" needs a second to pass; the periodic sync fills it in.
    await waitFor(async () => /^Exited\(137\) \d+ seconds ago/.test((await record(running.uuid))?.status_detail ?? ''), { timeoutMs: 5_000, what: 'status_detail', context: logs });
  });

  test('auto_heal starts a container that died unexpectedly', async () => {
    const { c, ctx } = await newContainer({ auto_heal: true });
    await buildContainer(ctx, c.uuid);
    const up = await waitStatus(c.uuid, ['Running', 'Error']);
    assert.equal(up.status, 'Running');
    const engine = docker.getContainer(`zun-${c.uuid}`);
    const firstStart = (await engine.inspect()).State.StartedAt;
    await engine.kill();
    await waitFor(async () => {
      const s = (await engine.inspect()).State;
      return s.Running && s.StartedAt !== firstStart;
    }, { timeoutMs: 10_000, what: 'the engine container started again', context: logs });
    assert.equal((await waitStatus(c.uuid, ['Running'], 5_000)).status, 'Running');
  });

  test('delete (force): engine container removed, claim released once, record destroyed', async () => {
    const before = await db.computeNodes.get(hostA);
    await db.containers.update(running.uuid, { status: 'Deleting' });
    const compute = rpcClient(transport, COMPUTE, hostA);
    const ctx = ctxFor();
    await compute.cast('containerDelete', ctx, { container_uuid: running.uuid, force: true, stop: false });
    await compute.cast('containerDelete', ctx, { container_uuid: running.uuid, force: true, stop: false }); // redelivered
    await waitFor(async () => (await record(running.uuid)) === null, { timeoutMs: 20_000, what: 'the record destroyed', context: logs });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await engineContainers(running.uuid)).length, 0);
    const node = await db.computeNodes.get(hostA);
    assert.equal((before?.mem_used ?? 0) - (node?.mem_used ?? 0), 64, 'released exactly once');
    assert.equal(await db.computeNodes.getClaim(running.uuid), null);
  });

  test('a retryable failure on one host is rescheduled to another, each attempt an action event (regression: a network driver failure was redelivered to the same host forever)', async () => {
    // Host B's engine socket does not exist: every create there fails as "engine unreachable" (retryable).
    // Its node row is written by hand (its resource tracker cannot read an engine) with the most free memory,
    // so the scheduler offers it first.
    await start('compute', hostB, [`--docker.docker_remote_api_host=unix://${join(dir, 'no-docker.sock')}`]);
    await db.computeNodes.upsertFromTracker(hostB, { mem_total: 64 * 1024 * 1024, cpus: 64, disk_total: 1000, runtimes: ['runc'] });
    await waitFor(async () => {
      const svc = await db.services.get(hostB, 'zun-compute');
      return svc && isServiceUp(svc, 10);
    }, { timeoutMs: 30_000, what: 'compute host B registered', context: logs });

    const { c, ctx } = await newContainer();
    await buildContainer(ctx, c.uuid);
    const done = await waitStatus(c.uuid, ['Running', 'Error']);
    assert.equal(done.status, 'Running', done.status_reason ?? '');
    assert.equal(done.host, hostA);
    assert.equal((await db.computeNodes.get(hostB))?.mem_used, 0, 'B\'s claim was given back');
    assert.equal((await db.computeNodes.getClaim(c.uuid))?.hostname, hostA);
    const action = await db.actions.get(c.uuid, ctx.requestId);
    const byName = new Map((action?.events ?? []).map((e) => [e.event, e]));
    const first = byName.get('conductor__schedule_and_build');
    const second = byName.get('conductor__schedule_and_build_attempt_2');
    assert.deepEqual([first?.details, first?.result], [hostB, 'Error']);
    // The first engine call of a create is the network's (ensure it on the host), then the image pull.
    assert.match(first?.traceback ?? '', new RegExp(`^${hostB}: (Docker engine unreachable|inspecting network [0-9a-f-]+: connect ENOENT)`));
    assert.deepEqual([second?.details, second?.result], [hostA, 'Success']);
  });
});
