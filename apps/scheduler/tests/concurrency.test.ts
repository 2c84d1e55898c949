// Placement under contention: three scheduler processes and two conductor processes (two workers each)
// on a real MariaDB and Redis place 100 containers, all asked for at once, onto two compute hosts that
// can hold 60 of them in total. Claims are atomic conditional updates, so exactly 60 are placed, the
// other 40 fail with Zun's reason, and no host ends up over its limits. The compute hosts are fakes
// without an engine (placement is what is tested): they record each container as Running through the
// conductor.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'mysql2/promise';
import { newRequestId, type RequestContext } from '@zun-ts/common';
import { Database } from '@zun-ts/db';
import { type Container, isServiceUp } from '@zun-ts/objects';
import { CONDUCTOR, rpcClient, RpcTransport } from '@zun-ts/rpc';
import { deleteRedisKeys, requireEnv, type ServiceHandle, startService, uniqueName, waitFor } from '@zun-ts/testing';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');
const mysqlUrl = requireEnv('ZUN_TEST_MYSQL_URL', 'mysql://root@127.0.0.1:3307');

const CONTAINERS = 100;
const MEMORY = 64; // MiB per container
/** Host → how many containers fit (ram_allocation_ratio 1, memory is the limit). */
const CAPACITY = { 0: 25, 1: 35 } as const;
const NO_HOST = 'There are not enough hosts available.';
const ANY = { projectId: null, allProjects: true, containerType: null } as const;

function mysqlServer(): { host: string; port: number; user: string; password: string } {
  const u = new URL(mysqlUrl.replace(/^mysql\+\w+:/, 'mysql:'));
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) };
}

describe('100 simultaneous builds through 3 schedulers onto hosts that hold 60', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-sched-'));
  const prefix = uniqueName('place');
  const dbName = `zun_test_${randomBytes(6).toString('hex')}`;
  const hosts = [uniqueName('cn1'), uniqueName('cn2')];
  const capacity = new Map(hosts.map((h, i) => [h, CAPACITY[i as 0 | 1]]));
  const procs: ServiceHandle[] = [];
  let db: Database;
  let transport: RpcTransport;

  const logs = (): string => procs.map((p) => `--- ${p.name} (pid ${p.pid}) ---\n${p.log()}`).join('\n');
  const server = mysqlServer();

  before(async () => {
    const admin = await createConnection(server);
    try {
      await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    } finally {
      await admin.end();
    }
    const auth = server.password ? `${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}` : encodeURIComponent(server.user);
    const url = `mysql+pymysql://${auth}@${server.host}:${server.port}/${dbName}?charset=utf8mb4`;
    db = await Database.open(url);
    await db.migrate();
    const confText = [
      '[DEFAULT]',
      `state_path = ${dir}`,
      'report_interval = 1',
      'service_down_time = 30',
      'rpc_response_timeout = 60',
      '[database]',
      `connection = ${url}`,
      '[redis]',
      `url = ${redisUrl}`,
      `key_prefix = ${prefix}`,
      '[conductor]',
      'workers = 2',
      '[scheduler]',
      'ram_allocation_ratio = 1.0',
      '',
    ].join('\n');
    const start = async (app: string, host: string, main?: string): Promise<void> => {
      procs.push(await startService(app, confText, { args: [`--host=${host}`], ready: 'started', ...(main ? { main } : {}) }));
    };
    for (let i = 0; i < 2; i++) await start('conductor', uniqueName('cond'));
    for (let i = 0; i < 3; i++) await start('scheduler', uniqueName('sched'));
    const fake = join(__dirname, 'fixtures', 'fake-compute.ts');
    for (const h of hosts) await start('fake-compute', h, fake);
    for (const h of hosts) {
      const slots = capacity.get(h) ?? 0;
      await db.computeNodes.upsertFromTracker(h, { mem_total: slots * MEMORY, cpus: 16, disk_total: 100, runtimes: ['runc'] });
    }
    await waitFor(async () => {
      const rows = await db.services.list();
      const up = (binary: string): number => rows.filter((r) => r.binary === binary && isServiceUp(r, 30)).length;
      return up('zun-compute') === 2 && up('zun-scheduler') === 3 && up('zun-conductor') === 2;
    }, { timeoutMs: 60_000, what: 'every service registered', context: logs });
    transport = RpcTransport.connect({ redisUrl, prefix, callTimeoutMs: 30_000 });
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await transport?.close();
    await db?.close();
    const admin = await createConnection(server);
    try {
      await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    } finally {
      await admin.end();
    }
    await deleteRedisKeys(redisUrl, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  test('exactly 60 placed, 40 Error with Zun\'s reason, no host over its limits', async () => {
    const ctx: RequestContext = { requestId: newRequestId(), userId: 'u', projectId: 'p', roles: ['member'], isAdmin: false };
    const uuids: string[] = [];
    for (let i = 0; i < CONTAINERS; i++) {
      const c = await db.containers.create({ uuid: randomUUID(), status: 'Creating', name: `c-${i}`, project_id: 'p', user_id: 'u', image: 'busybox', cpu: 0.5, memory: String(MEMORY) });
      await db.actions.start(ctx, c.uuid, 'create', ctx.requestId);
      uuids.push(c.uuid);
    }
    const conductor = rpcClient(transport, CONDUCTOR);
    const t0 = Date.now();
    await Promise.all(uuids.map((uuid) => conductor.cast('buildContainer', ctx, { container_uuid: uuid, run: true, hints: {}, availability_zone: null, requested_host: null })));

    const all = await waitFor(async () => {
      const rows = await db.containers.list(ANY);
      return rows.every((c) => c.status !== 'Creating') ? rows : null;
    }, { timeoutMs: 120_000, what: 'every build to finish', context: logs });
    const ms = Date.now() - t0;

    const placed = all.filter((c) => c.status === 'Running');
    const failed = all.filter((c) => c.status === 'Error');
    assert.equal(placed.length, 60, `placed ${placed.length}`);
    assert.equal(failed.length, 40, `failed ${failed.length}`);
    for (const c of failed) {
      assert.equal(c.status_reason, NO_HOST);
      assert.equal(c.host, null);
    }

    const nodes = new Map((await db.computeNodes.list()).map((n) => [n.hostname, n]));
    for (const h of hosts) {
      const node = nodes.get(h);
      const on = placed.filter((c: Container) => c.host === h);
      const memory = on.reduce((sum, c) => sum + Number(c.memory), 0);
      assert.ok(node);
      assert.ok(memory <= node.mem_total, `${h}: ${memory} MiB placed on ${node.mem_total} MiB`);
      assert.equal(on.length, capacity.get(h), `${h} filled exactly`);
      assert.equal(node.mem_used, memory, `${h}: claimed memory matches the containers placed there`);
      assert.equal(node.total_containers, on.length);
      assert.ok(Math.abs(node.cpu_used - on.length * 0.5) < 1e-6);
    }
    for (const c of placed) {
      const claim = await db.computeNodes.getClaim(c.uuid);
      assert.deepEqual([claim?.hostname, claim?.released_at], [c.host, null], `claim of ${c.uuid}`);
    }
    for (const c of failed) {
      const claim = await db.computeNodes.getClaim(c.uuid);
      assert.ok(claim === null || claim.released_at !== null, 'a failed build holds no claim');
    }

    const served = procs.filter((p) => p.name === 'scheduler').map((p) => p.logRecords().filter((l) => l.msg === 'hosts selected' || l.msg === 'rpc call failed').length);
    assert.ok(served.filter((n) => n > 0).length >= 2, `scheduler replicas shared the work: ${served.join(', ')}`);
    const refused = procs.filter((p) => p.name === 'conductor').flatMap((p) => p.logRecords()).filter((l) => String(l.msg).startsWith('claim refused')).length;
    console.log(`# 100 builds settled in ${ms} ms; requests per scheduler: ${served.join(', ')}; claims refused (lost races, full hosts): ${refused}`);
  });
});
