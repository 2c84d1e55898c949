import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Database } from '@zun-ts/db';
import { freePort, type ServiceHandle, sleep, startRedis, startService, TEST_AUTH_ENCRYPTION_KEY, type TestRedis, tmpDir, writeZunConf } from '@zun-ts/testing';
import { errorFormatProblem } from './fixtures/fuzz/answer-oracle';
import { type BusStandIns, startBusStandIns } from './fixtures/fuzz/compute-stand-in';
import { sendRaw } from './fixtures/fuzz/raw-http';
import { type FuzzCase, type FuzzTargets, RequestGenerator } from './fixtures/fuzz/request-generator';
import { REGISTRY_PASSWORDS } from './fixtures/fuzz/request-templates';
import { apiRoutes } from './fixtures/fuzz/route-catalogue';
import { SeededRandom } from './fixtures/fuzz/seeded-random';
import { issueToken, readOpenRc, requireEnv } from './fixtures/keystone-env';

/**
 * The fuzz suite: generated requests against every route and method of a zun-api process this test starts
 * (real Keystone tokens, SQLite, a Redis of its own). Deterministic by seed. The normal test run sends
 * ZUN_FUZZ_REQUESTS (default 1500); the full run sends 10,000 or more:
 *
 *   ZUN_FUZZ_REQUESTS=10000 ZUN_FUZZ_SEED=20261202 node --import tsx --test apps/api/tests/api-fuzz.test.ts
 *
 * Asserts: no answer >= 500; every 4xx in Zun's error format (Keystone's for 401); every request answered
 * (a body cut short too: with a 400, not a connection left open); the API process alive throughout; and a refused request (4xx) wrote
 * nothing: the database's content and the message queues are the same after it as before.
 */
const REQUESTS = Number(process.env['ZUN_FUZZ_REQUESTS'] ?? 1500);
const SEED = Number(process.env['ZUN_FUZZ_SEED'] ?? 20261202);
const keystoneUrl = requireEnv('ZUN_TEST_KEYSTONE_URL', 'http://127.0.0.1:5000/v3');
const keystoneState = requireEnv('ZUN_TEST_KEYSTONE_STATE', '/tmp/keystone-5000');
const mainTs = resolve(__dirname, '../src/main.ts');

interface Finding {
  n: number;
  category: string;
  route: string;
  what: string;
  request: string;
}

/** A uuid from the seed's sequence, so the seeded rows (and the requests naming them) are the same every run. */
function seededUuid(rng: SeededRandom): string {
  const h = rng.text(32, '0123456789abcdef');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function describeRequest(c: FuzzCase): string {
  const target = Buffer.isBuffer(c.request.target) ? c.request.target.toString('latin1') : c.request.target;
  const body = c.request.body ? ` body ${c.request.body.length} B: ${c.request.body.subarray(0, 160).toString('latin1')}` : '';
  const headers = c.request.headers.filter(([n]) => n !== 'X-Auth-Token').map(([n, v]) => `${n}: ${String(v).slice(0, 60)}`).join('; ');
  return `${c.request.method} ${target.slice(0, 200)} [${headers}]${body}`;
}

describe(`API fuzz: ${REQUESTS} requests, seed ${SEED}`, () => {
  const dir = tmpDir('zun-api-fuzz-');
  const prefix = `zt-fuzz-${SEED}`;
  let redis: TestRedis;
  let bus: Redis;
  let db: Database;
  let api: ServiceHandle;
  let standIns: BusStandIns;
  let port: number;
  let gen: RequestGenerator;
  let routeCount = 0;
  /** What no log line may contain, by what it is. */
  const secrets: Record<string, string> = {};

  before(async () => {
    const rng = new SeededRandom(SEED);
    redis = await startRedis();
    bus = new Redis(redis.url);
    const admin = await issueToken(keystoneUrl, readOpenRc(keystoneState, 'admin'));
    const demo = await issueToken(keystoneUrl, readOpenRc(keystoneState, 'demo'));
    const zun = readOpenRc(keystoneState, 'zun');
    Object.assign(secrets, {
      'the admin token': admin.token,
      'the demo token': demo.token,
      'the zun service password': zun.password,
      'auth_encryption_key': TEST_AUTH_ENCRYPTION_KEY,
      'a registry password': REGISTRY_PASSWORDS[0],
      'another registry password': REGISTRY_PASSWORDS[1],
    });

    const dbUrl = `sqlite:///${dir.join('zun.sqlite')}`;
    db = await Database.open(dbUrl);
    await db.migrate();
    await db.services.upsert({ host: 'fz-host', binary: 'zun-compute', topic: 'zun-compute', availability_zone: null });
    await db.services.heartbeat('fz-host', 'zun-compute');
    await db.computeNodes.upsertFromTracker('fz-host', { mem_total: 8192, cpus: 8, disk_total: 100 });
    const containers: string[] = [];
    for (const [name, status, host, project] of [
      ['fz-running', 'Running', 'fz-host', demo.projectId],
      ['fz-stopped', 'Stopped', 'fz-host', demo.projectId],
      ['fz-paused', 'Paused', 'fz-host', demo.projectId],
      ['fz-created', 'Created', 'fz-host', demo.projectId],
      ['fz-unplaced', 'Creating', null, demo.projectId],
      ['fz-admins', 'Running', 'fz-host', admin.projectId],
    ] as const) {
      const uuid = seededUuid(rng);
      await db.containers.create({ uuid, name, status, host, project_id: project, user_id: 'u', image: 'busybox', cpu: 0.1, memory: '64', image_driver: 'docker' });
      containers.push(uuid, name);
    }
    const volume = seededUuid(rng);
    await db.volumes.create({ uuid: volume, name: 'fz-vol', project_id: demo.projectId, user_id: 'u', size: 1, status: 'available', host: 'fz-host', volume_provider: 'local', auto_remove: false });
    const image = seededUuid(rng);
    await db.images.create({ uuid: image, repo: 'busybox', tag: 'latest', host: 'fz-host', project_id: admin.projectId, user_id: 'u' });
    const targets: FuzzTargets = {
      idents: { containers, capsules: containers, volumes: [volume, 'fz-vol'], images: [image, 'busybox'], hosts: ['fz-host'], networks: ['fz-net', 'default'], registries: ['fz-reg'] },
      projectIds: [demo.projectId, admin.projectId],
      quotaClasses: ['default'],
      requestIds: ['req-00000000-0000-0000-0000-000000000000'],
    };

    port = await freePort();
    const conf = writeZunConf({
      // The stand-in compute host heartbeats once, at the start: it stays up for the whole run.
      DEFAULT: { state_path: dir.path, debug: true, host: 'fz-api', service_down_time: 86_400, rpc_response_timeout: 10 },
      api: { host_ip: '127.0.0.1', port, workers: 1 },
      database: { connection: dbUrl },
      redis: { url: redis.url, key_prefix: prefix },
      keystone_authtoken: {
        auth_url: keystoneUrl, www_authenticate_uri: keystoneUrl, username: zun.username, password: zun.password, project_name: zun.projectName,
      },
    });
    standIns = await startBusStandIns(redis.url, prefix, 'fz-host', db);
    api = await startService('api', conf, { main: mainTs, dir: dir.path, ready: { http: `http://127.0.0.1:${port}/healthcheck` } });
    const routes = await apiRoutes();
    routeCount = routes.length;
    gen = new RequestGenerator(rng, routes, targets, { admin: admin.token, member: demo.token });
  });

  after(async () => {
    await api?.stop(10_000);
    await standIns?.close();
    bus?.disconnect();
    await db?.close();
    await redis?.close();
    await dir.cleanup();
  });

  /** Jobs waiting in the bus (each queued message is a hash `<prefix>:<topic>:<uuid>`). */
  async function queuedJobs(): Promise<number> {
    const keys = await bus.keys(`${prefix}:*`);
    return keys.filter((k) => /:[0-9a-f]{8}-[0-9a-f-]{27}$/.test(k)).length;
  }

  /** Waits until the stand-ins have taken every queued message (what accepted requests sent has been handled). */
  async function drained(): Promise<void> {
    for (let i = 0; i < 100 && (await queuedJobs()) > 0; i++) await sleep(20);
  }

  /** The API's log line of a 5xx, found by the correlation id of its answer. */
  function serverError(body: Buffer): string {
    const id = /Correlation id is: ([0-9a-f-]{36})/.exec(body.toString('utf8'))?.[1];
    const line = id ? api.log().split('\n').find((l) => l.includes(id)) : undefined;
    return (line ?? body.toString('utf8')).slice(0, 600);
  }

  test('no 5xx, every 4xx in Zun error format, the API alive, and refused requests write nothing', async () => {
    const findings: Finding[] = [];
    const byCategory = new Map<string, Map<number | string, number>>();
    const routesHit = new Set<string>();
    let digest = JSON.stringify(await db.contentDigests());
    let received = standIns.received();
    const t0 = Date.now();
    for (let n = 0; n < REQUESTS; n++) {
      const c = gen.next(n);
      routesHit.add(`${c.route.method} ${c.route.path}`);
      const reply = await sendRaw(port, c.request);
      const status = reply.kind === 'answer' ? reply.status : 'none';
      const counts = byCategory.get(c.category) ?? new Map<number | string, number>();
      counts.set(status, (counts.get(status) ?? 0) + 1);
      byCategory.set(c.category, counts);
      const found = (what: string): void => {
        findings.push({ n, category: c.category, route: `${c.route.method} ${c.route.path}`, what, request: describeRequest(c) });
      };
      if (reply.kind === 'none') {
        found(`no answer: ${reply.reason}`);
      } else if (reply.status >= 500) {
        found(`${reply.status}: ${serverError(reply.body)}`);
      } else if (reply.status >= 400) {
        const problem = errorFormatProblem(c.request.method, reply);
        if (problem) found(`${reply.status} not in Zun's error format: ${problem}`);
      }
      // Whatever was refused (or not answered) must have left the database and the bus as they were.
      const refused = reply.kind === 'none' || reply.status >= 400;
      const queued = refused ? await queuedJobs() : 0;
      if (!refused) await drained();
      const now = JSON.stringify(await db.contentDigests());
      const nowReceived = standIns.received();
      if (refused && (now !== digest || queued > 0 || nowReceived !== received)) {
        const was = JSON.parse(digest) as Record<string, string>;
        const is = JSON.parse(now) as Record<string, string>;
        const tables = Object.keys(is).filter((t) => is[t] !== was[t]);
        found(`refused (${status}) but wrote: tables [${tables.join(', ')}], messages sent ${nowReceived - received + queued}`);
        await drained();
      }
      digest = refused ? now : JSON.stringify(await db.contentDigests());
      received = standIns.received();
      if (n % 250 === 249 && !api.running()) {
        found('the API process died');
        break;
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    const health = await fetch(`http://127.0.0.1:${port}/healthcheck`).then((r) => r.status, (e: unknown) => String(e));

    const lines = [`fuzz: ${REQUESTS} requests, ${routesHit.size}/${routeCount} routes, seed ${SEED}, ${seconds.toFixed(1)} s, ${findings.length} findings`];
    for (const [category, counts] of [...byCategory].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`  ${category.padEnd(20)} ${[...counts].sort(([a], [b]) => String(a).localeCompare(String(b))).map(([s, k]) => `${s}:${k}`).join(' ')}`);
    }
    for (const f of findings.slice(0, 25)) lines.push(`  #${f.n} ${f.category} ${f.route}: ${f.what}\n      ${f.request}`);
    console.log(lines.join('\n'));

    assert.ok(api.running(), `the API process is gone:\n${api.logTail(40)}`);
    assert.equal(health, 200, 'the API still answers its health check');
    assert.equal(routesHit.size, Math.min(routeCount, REQUESTS), 'every route was fuzzed');
    assert.deepEqual(findings.map((f) => `#${f.n} ${f.route} ${f.what}`).slice(0, 25), [], `seed ${SEED}: see the findings above`);
  });

  test('no secret in any line of the API log at debug level (tokens, passwords, registry credentials, keys)', () => {
    const log = api.log();
    const lines = log.split('\n');
    assert.ok(lines.length > REQUESTS / 2, `the log holds the run (${lines.length} lines)`);
    assert.ok(lines.some((l) => l.includes('"level":20')), 'debug lines were written');
    const leaks: string[] = [];
    for (const [what, secret] of Object.entries(secrets)) {
      const line = lines.find((l) => l.includes(secret));
      if (line) leaks.push(`${what}: ${line.replaceAll(secret, '<secret>').slice(0, 300)}`);
    }
    assert.deepEqual(leaks, []);
  });
});
