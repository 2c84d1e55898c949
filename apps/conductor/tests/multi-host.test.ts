// Placement and recovery across several real hosts: three simulated compute hosts (tools/sim-hosts: each a
// network namespace with its own dockerd), one compute service per host, a conductor and a scheduler, on a
// real Redis and a SQLite file. Host 1 keeps almost all of its memory for itself ([compute]
// reserved_host_memory_mb), host 3 carries the daemon label zone=fast. A compute service killed right
// after a create was cast to it gets its build rescheduled by the conductor's recovery, or failed with a
// reason when no other host can take it; it never stays Creating.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newRequestId, type RequestContext } from '@zun-ts/common';
import { Database } from '@zun-ts/db';
import { type Container, isServiceUp } from '@zun-ts/objects';
import { type BuildContainerRequest, CONDUCTOR, type ConductorClient, rpcClient, RpcTransport } from '@zun-ts/rpc';
import {
  mergeZunConf,
  requireEnv,
  type ServiceHandle,
  type SimHost,
  simHostConf,
  startService,
  startSimHosts,
  stopSimHosts,
  tmpDir,
  uniqueName,
  waitFor,
  writeZunConf,
  type ZunConfSections,
  deleteRedisKeys,
} from '@zun-ts/testing';

const run = promisify(execFile);

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');
// startSimHosts serves this registry's storage to the hosts (busybox comes from there).
requireEnv('ZUN_TEST_REGISTRY', '127.0.0.1:5050');

const ANY = { projectId: null, allProjects: true, containerType: null } as const;
const LOOP = ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 0.2; done"];
/** What the RAM-small host offers containers (MiB): below 256 even with ram_allocation_ratio 1.5. */
const SMALL_MEM = 128;
const SERVICE_DOWN_TIME = 4;
const NO_HOST = 'There are not enough hosts available.';

/** The container as `docker -H <host> inspect zun-<uuid>` shows it on that host's own engine, or null. */
async function engineState(host: SimHost, uuid: string): Promise<{ Running: boolean } | null> {
  try {
    const { stdout } = await run('docker', ['-H', host.dockerHost, 'inspect', '--format', '{{json .State}}', `zun-${uuid}`], { timeout: 20_000 });
    return JSON.parse(stdout) as { Running: boolean };
  } catch (err) {
    if (/No such (object|container)/i.test((err as { stderr?: string }).stderr ?? '')) return null;
    throw err;
  }
}

async function memTotalMiB(host: SimHost): Promise<number> {
  const { stdout } = await run('docker', ['-H', host.dockerHost, 'info', '--format', '{{.MemTotal}}'], { timeout: 20_000 });
  return Math.floor(Number(stdout.trim()) / (1024 * 1024));
}

describe('several compute hosts, each with its own engine', { timeout: 600_000 }, () => {
  const dir = tmpDir('zun-multihost-');
  const prefix = uniqueName('mh');
  const services: ServiceHandle[] = [];
  const computes = new Map<string, ServiceHandle>();
  let hosts: SimHost[] = [];
  let small: SimHost;
  let plain: SimHost;
  let fast: SimHost;
  let db: Database | undefined;
  let transport: RpcTransport | undefined;
  let conductor: ConductorClient;

  const logs = (): string => services.map((s) => `--- ${s.name} ---\n${s.logTail(30)}`).join('\n');
  const database = (): Database => {
    assert.ok(db, 'database open');
    return db;
  };
  const record = (uuid: string): Promise<Container | null> => database().containers.getByUuid(ANY, uuid).catch(() => null);
  const hostNamed = (name: string | null): SimHost => {
    const h = hosts.find((x) => x.name === name);
    assert.ok(h, `no sim host ${String(name)}`);
    return h;
  };

  /** A record as the API writes it (Creating, `create` action recorded), then the build cast to the conductor. */
  async function create(memory: number, hints: Record<string, string> = {}): Promise<{ uuid: string; ctx: RequestContext }> {
    const ctx: RequestContext = { requestId: newRequestId(), userId: 'user-1', projectId: 'project-1', roles: ['member'], isAdmin: false };
    const c = await database().containers.create({
      uuid: randomUUID(), status: 'Creating', name: uniqueName('ct'), project_id: ctx.projectId, user_id: ctx.userId,
      image: 'busybox', image_pull_policy: 'ifnotpresent', cpu: 0.1, memory: String(memory), command: LOOP,
    });
    await database().actions.start(ctx, c.uuid, 'create', ctx.requestId);
    const req: BuildContainerRequest = { container_uuid: c.uuid, run: true, hints, availability_zone: null, requested_host: null };
    await conductor.cast('buildContainer', ctx, req);
    return { uuid: c.uuid, ctx };
  }

  /** Waits until the build (with run=true) is over, Running or Error: the record then. */
  const settled = (uuid: string, timeoutMs = 60_000): Promise<Container> =>
    waitFor(async () => {
      const c = await record(uuid);
      return c && (c.status === 'Running' || c.status === 'Error') && c.task_state === null ? c : null;
    }, { timeoutMs, intervalMs: 100, what: `container ${uuid} Running or Error`, context: logs });

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test runs as root: tools/sim-hosts creates network namespaces and starts dockerd');
    hosts = await startSimHosts(3, { labels: { 3: { zone: 'fast' } } });
    [small, plain, fast] = hosts as [SimHost, SimHost, SimHost];
    assert.equal(fast.labels['zone'], 'fast');

    const dbUrl = `sqlite:///${dir.join('zun.sqlite')}`;
    db = await Database.open(dbUrl);
    await db.migrate();
    transport = RpcTransport.connect({ redisUrl, prefix, callTimeoutMs: 20_000 });
    conductor = rpcClient(transport, CONDUCTOR);

    const base: ZunConfSections = {
      DEFAULT: { state_path: dir.path, report_interval: 1, service_down_time: SERVICE_DOWN_TIME, periodic_interval: 1, rpc_response_timeout: 10 },
      database: { connection: dbUrl },
      redis: { url: redisUrl, key_prefix: prefix },
      conductor: { workers: 2 },
    };
    const reserved = (await memTotalMiB(small)) - SMALL_MEM;
    const started = await Promise.all([
      startService('conductor', writeZunConf(mergeZunConf(base, { DEFAULT: { host: uniqueName('cond') } }))),
      startService('scheduler', writeZunConf(mergeZunConf(base, { DEFAULT: { host: uniqueName('sched') } }))),
      ...hosts.map((h) =>
        startService('compute', writeZunConf(mergeZunConf(base, simHostConf(h), h === small ? { compute: { reserved_host_memory_mb: reserved } } : {})), {
          name: `compute-${h.name}`,
        }),
      ),
    ]);
    services.push(...started);
    hosts.forEach((h, i) => computes.set(h.name, started[i + 2] as ServiceHandle));
    // Every compute registered through the conductor and reported its resources.
    await waitFor(async () => {
      const [rows, nodes] = await Promise.all([database().services.list(), database().computeNodes.list()]);
      return hosts.every((h) => rows.some((s) => s.host === h.name && s.binary === 'zun-compute' && isServiceUp(s, SERVICE_DOWN_TIME)) &&
        nodes.some((n) => n.hostname === h.name && n.mem_total > 0 && n.labels?.['zun.host'] === h.name));
    }, { timeoutMs: 60_000, what: 'three compute hosts registered with their resources', context: logs });
  });

  after(async () => {
    try {
      await Promise.all(services.map((s) => s.stop(30_000)));
      await transport?.close();
      await db?.close();
      await deleteRedisKeys(redisUrl, prefix);
    } finally {
      // The hosts are machine-wide (namespaces, bridge, daemons): they go whatever happened above.
      await stopSimHosts();
      await dir.cleanup();
    }
  });

  test('a 256 MiB container is never placed on the RAM-small host; a small one may be', async () => {
    const smallNode = await database().computeNodes.get(small.name);
    assert.equal(smallNode?.mem_total, SMALL_MEM, 'reserved_host_memory_mb taken off the host\'s memory');
    assert.ok(((await database().computeNodes.get(plain.name))?.mem_total ?? 0) > 1024);

    const t0 = Date.now();
    const builds = await Promise.all(Array.from({ length: 4 }, () => create(256)));
    for (const { uuid } of builds) {
      const c = await settled(uuid);
      assert.equal(c.status, 'Running', `${uuid}: ${c.status_reason ?? ''}`);
      assert.notEqual(c.host, small.name);
      assert.ok(c.host === plain.name || c.host === fast.name, `placed on ${String(c.host)}`);
      assert.equal((await engineState(hostNamed(c.host), uuid))?.Running, true, 'running in its host\'s own engine');
      assert.equal(await engineState(small, uuid), null, 'nothing on the small host\'s engine');
    }
    console.log(`# 4 × 256 MiB built and running on 2 hosts: ${Date.now() - t0} ms`);

    // The small host takes what fits (so the RAM filter, not chance, kept the big ones away) …
    const fits = await create(64, { 'label:zun.host': small.name });
    const placed = await settled(fits.uuid);
    assert.deepEqual([placed.status, placed.host], ['Running', small.name], placed.status_reason ?? '');
    assert.equal((await engineState(small, fits.uuid))?.Running, true);
    // … and refuses a 256 MiB container even when it is the only host the request allows.
    const big = await create(256, { 'label:zun.host': small.name });
    const refused = await settled(big.uuid);
    assert.deepEqual([refused.status, refused.status_reason, refused.host], ['Error', NO_HOST, null]);
  });

  test('hint label:zone=fast lands on the host whose engine carries that label', async () => {
    const builds = await Promise.all([create(64, { 'label:zone': 'fast' }), create(64, { 'label:zone': 'fast' })]);
    for (const { uuid } of builds) {
      const c = await settled(uuid);
      assert.deepEqual([c.status, c.host], ['Running', fast.name], c.status_reason ?? '');
      assert.equal((await engineState(fast, uuid))?.Running, true);
      assert.equal(await engineState(plain, uuid), null);
    }
    const none = await create(64, { 'label:zone': 'slow' });
    assert.deepEqual([(await settled(none.uuid)).status_reason], [NO_HOST]);
  });

  /**
   * Freezes the compute services of `candidates`, casts a build, and kills (SIGKILL) the one the container
   * was placed on as soon as its record names it: the create was cast to a host that never does it.
   */
  async function buildThenKillItsHost(memory: number, hints: Record<string, string>, candidates: SimHost[]) {
    for (const h of candidates) computes.get(h.name)?.kill('SIGSTOP');
    const placement = (async () => {
      const built = await create(memory, hints);
      const placed = await waitFor(async () => (await record(built.uuid))?.host ?? null, {
        timeoutMs: 20_000, intervalMs: 20, what: 'the container placed', context: logs,
      });
      const victim = hostNamed(placed);
      computes.get(victim.name)?.kill('SIGKILL');
      return { ...built, victim };
    })();
    // Whatever happened, the others go on (a stopped process would look dead to everyone).
    await placement.catch(() => undefined);
    for (const h of candidates) computes.get(h.name)?.kill('SIGCONT');
    const { uuid, ctx, victim } = await placement;
    await computes.get(victim.name)?.exited;
    return { uuid, ctx, victim, killedAt: Date.now() };
  }

  test('a compute killed right after its create was cast: the build is rescheduled to another host', async () => {
    const before = new Map(await Promise.all(hosts.map(async (h) => [h.name, (await database().computeNodes.get(h.name))?.mem_used ?? 0] as const)));
    const { uuid, ctx, victim, killedAt } = await buildThenKillItsHost(256, {}, [plain, fast]);
    const survivor = victim === plain ? fast : plain;
    // Down after service_down_time, noticed by the next periodic run, then built on the other host.
    const c = await settled(uuid, 60_000);
    const ms = Date.now() - killedAt;
    assert.deepEqual([c.status, c.host], ['Running', survivor.name], c.status_reason ?? '');
    assert.equal((await engineState(survivor, uuid))?.Running, true);
    assert.equal(await engineState(victim, uuid), null);
    console.log(`# compute killed → container Running on ${survivor.name}: ${ms} ms (service_down_time ${SERVICE_DOWN_TIME} s)`);

    const claim = await database().computeNodes.getClaim(uuid);
    assert.deepEqual([claim?.hostname, claim?.released_at], [survivor.name, null]);
    assert.equal((await database().computeNodes.get(victim.name))?.mem_used, before.get(victim.name), 'the dead host\'s claim was given back');
    assert.equal((await database().computeNodes.get(survivor.name))?.mem_used, (before.get(survivor.name) ?? 0) + 256);

    const action = await database().actions.get(uuid, ctx.requestId);
    const events = new Map((action?.events ?? []).map((e) => [e.event, e]));
    const first = events.get('conductor__schedule_and_build');
    const second = events.get('conductor__schedule_and_build_attempt_2');
    assert.deepEqual([first?.details, first?.result, first?.traceback],
      [victim.name, 'Error', `${victim.name}: Compute host ${victim.name} went down while creating the container.`]);
    assert.deepEqual([second?.details, second?.result], [survivor.name, 'Success']);
  });

  test('no other host can take it: Error with the reason, never left Creating, the claim given back', async () => {
    // Only the one compute still alive may take this container (its zun.host label).
    const alive = [plain, fast].find((h) => computes.get(h.name)?.running());
    assert.ok(alive, 'one of the big hosts still runs a compute service');
    const before = (await database().computeNodes.get(alive.name))?.mem_used ?? 0;
    const { uuid, victim } = await buildThenKillItsHost(64, { 'label:zun.host': alive.name }, [alive]);
    assert.equal(victim, alive);
    const c = await settled(uuid, 60_000);
    assert.deepEqual([c.status, c.host], ['Error', null]);
    assert.equal(c.status_reason, `Compute host ${alive.name} went down while creating the container. ${NO_HOST}`);
    assert.equal((await database().computeNodes.get(alive.name))?.mem_used, before);
    assert.ok((await database().computeNodes.getClaim(uuid))?.released_at instanceof Date);
  });
});
