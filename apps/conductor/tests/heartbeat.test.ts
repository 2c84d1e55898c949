// Conductor, scheduler and compute as real processes (bundled as deployed) on a real
// Redis and a SQLite file: registration, heartbeats, down detection, compute's
// heartbeat path through the conductor, and graceful SIGTERM.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Database } from '@zun-ts/db';
import { isServiceUp, type ZunService } from '@zun-ts/objects';
import {
  deleteRedisKeys,
  isProcessAlive as alive,
  repoRoot,
  requireEnv,
  type ServiceHandle,
  sleep,
  startService,
  uniqueName,
  waitFor,
} from '@zun-ts/testing';
import { testZunConf } from './fixtures/zun-conf';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');
const SERVICE_DOWN_TIME = 3;

function zunManageAvailable(): boolean {
  return existsSync(join(repoRoot(), 'tools', 'src', 'zun-manage.ts'));
}

describe('conductor, scheduler and compute processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-svc-'));
  const prefix = uniqueName('svc');
  const hosts = { conductor: uniqueName('cond'), scheduler: uniqueName('sched'), compute: uniqueName('cn') };
  const confFile = join(dir, 'zun.conf');
  const procs: ServiceHandle[] = [];
  let db: Database;

  const run = async (app: string, confText: string, args: string[] = []): Promise<ServiceHandle> => {
    const p = await startService(app, confText, { args, ready: 'started' });
    procs.push(p);
    return p;
  };
  const start = (app: keyof typeof hosts, extra: string[] = []): Promise<ServiceHandle> =>
    run(app, readFileSync(confFile, 'utf8'), [`--host=${hosts[app]}`, ...extra]);
  const row = async (app: keyof typeof hosts): Promise<ZunService | null> => db.services.get(hosts[app], `zun-${app}`);
  const logs = (): string => procs.map((p) => `--- ${p.name} (pid ${p.pid}) ---\n${p.log()}`).join('\n');

  before(async () => {
    if (zunManageAvailable()) {
      const res = spawnSync(process.execPath, ['tools/build.mjs', 'zun-manage'], { cwd: repoRoot(), encoding: 'utf8' });
      assert.equal(res.status, 0, `build of zun-manage failed:\n${res.stdout}${res.stderr}`);
    }
    testZunConf(
      { dir, redisUrl, prefix, file: confFile },
      // No engine here: the compute host only registers and heartbeats in this suite.
      { DEFAULT: { service_down_time: SERVICE_DOWN_TIME }, docker: { docker_remote_api_host: `unix://${join(dir, 'no-docker.sock')}` } },
    );
  });

  after(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await db?.close();
    await deleteRedisKeys(redisUrl, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a service refuses to start on a database without schema, saying to run db sync', async () => {
    const p = await start('conductor', ['--database.connection=sqlite:///' + join(dir, 'empty.sqlite')]);
    const { code } = await p.exitWithin(20_000);
    assert.equal(code, 1);
    assert.match(p.log(), /zun-conductor: cannot start: the database has no schema yet .*run "zun-manage db sync"/);
  });

  test('a bad configuration stops each service with status 2, listing every problem', async () => {
    const bad = join(dir, 'bad.conf');
    writeFileSync(bad, '[DEFAULT]\nreport_interval = often\n[redis]\nurl = redis://127.0.0.1:1/0\n[conductor]\nworkers = many\n');
    for (const app of ['conductor', 'scheduler', 'compute'] as const) {
      const p = await run(app, readFileSync(bad, 'utf8'));
      const { code } = await p.exitWithin(20_000);
      assert.equal(code, 2, p.log());
      assert.match(p.log(), new RegExp(`^zun-${app}: invalid configuration:`));
      assert.match(p.log(), /\[DEFAULT\] report_interval/);
      assert.match(p.log(), /\[conductor\] workers/);
    }
  });

  test('the schema is created by zun-manage db sync', async () => {
    if (zunManageAvailable()) {
      const res = spawnSync(process.execPath, ['dist/tools/zun-manage.js', '--config-file', confFile, 'db', 'sync'], { cwd: repoRoot(), encoding: 'utf8' });
      assert.equal(res.status, 0, `zun-manage db sync failed:\n${res.stdout}${res.stderr}`);
    } else {
      const m = await Database.open(`sqlite:///${join(dir, 'zun.sqlite')}`);
      await m.migrate();
      await m.close();
    }
    db = await Database.open(`sqlite:///${join(dir, 'zun.sqlite')}`);
    assert.equal(await db.version(), Database.migrationNames().at(-1));
  });

  test('conductor, scheduler and compute register and stay up by heartbeating', async () => {
    await start('conductor');
    await start('scheduler');
    await start('compute');
    const rows = await waitFor(
      async () => {
        const rs = await Promise.all([row('conductor'), row('scheduler'), row('compute')]);
        return rs.every((r) => r && isServiceUp(r, SERVICE_DOWN_TIME) && r.report_count >= 2) ? rs : null;
      },
      { timeoutMs: 30_000, what: 'three service rows, up, with heartbeats', context: logs },
    );
    const [cond, sched, comp] = rows;
    assert.equal(cond?.topic, 'conductor');
    assert.equal(sched?.topic, 'scheduler');
    assert.equal(comp?.topic, `compute.${hosts.compute}`);
    assert.equal(comp?.availability_zone, 'nova');
    // Beyond service_down_time they are still up: heartbeats keep coming.
    await sleep((SERVICE_DOWN_TIME + 1) * 1000);
    for (const app of ['conductor', 'scheduler', 'compute'] as const) {
      const r = await row(app);
      assert.ok(r && isServiceUp(r, SERVICE_DOWN_TIME), `${app} is up: ${JSON.stringify(r)}`);
    }
    const lines = procs.flatMap((p) => p.logRecords());
    assert.ok(lines.some((l) => l.name === 'zun-compute' && l.host === hosts.compute && l.msg === 'service started'));
  });

  test('a killed compute shows down after service_down_time', async () => {
    const compute = procs.filter((p) => p.app === 'compute' && p.running()).at(-1);
    assert.ok(compute);
    compute.kill('SIGKILL');
    await compute.exited;
    const killedAt = Date.now();
    await waitFor(async () => {
      const r = await row('compute');
      return r && !isServiceUp(r, SERVICE_DOWN_TIME);
    }, { timeoutMs: (SERVICE_DOWN_TIME + 5) * 1000, what: 'compute to be down', context: logs });
    assert.ok(Date.now() - killedAt >= (SERVICE_DOWN_TIME - 1.5) * 1000, 'not down before service_down_time');
    const cond = await row('conductor');
    assert.ok(cond && isServiceUp(cond, SERVICE_DOWN_TIME), 'the conductor is still up');
  });

  test('compute heartbeats through the conductor: they stall while it is stopped and resume when it is back', async () => {
    await start('compute');
    await waitFor(async () => {
      const r = await row('compute');
      return r && isServiceUp(r, SERVICE_DOWN_TIME);
    }, { timeoutMs: 20_000, what: 'restarted compute to be up', context: logs });

    const conductor = procs.find((p) => p.app === 'conductor' && p.running());
    assert.ok(conductor);
    const workerPids = conductor.logRecords().filter((l) => l.msg === 'worker started').map((l) => Number(l.workerPid));
    assert.equal(workerPids.length, 2, conductor.log());
    const t0 = Date.now();
    conductor.kill('SIGTERM');
    const { code } = await conductor.exitWithin(40_000);
    assert.equal(code, 0, conductor.log());
    assert.ok(Date.now() - t0 < 35_000, 'stopped within its bound');
    for (const pid of workerPids) assert.equal(alive(pid), false, `conductor worker ${pid} exited`);

    await sleep(1000); // let a heartbeat that was in flight land
    const stalled = await row('compute');
    await sleep(3500);
    const still = await row('compute');
    assert.equal(still?.report_count, stalled?.report_count, 'no compute heartbeat without a conductor');
    assert.equal(still?.last_seen_up?.getTime(), stalled?.last_seen_up?.getTime());
    const sched = await row('scheduler');
    assert.ok(sched && (sched.last_seen_up?.getTime() ?? 0) > (stalled?.last_seen_up?.getTime() ?? 0), 'the scheduler (direct to the DB) kept beating');

    await start('conductor');
    await waitFor(async () => {
      const r = await row('compute');
      return r && r.report_count > (still?.report_count ?? 0) + 1 && isServiceUp(r, SERVICE_DOWN_TIME);
    }, { timeoutMs: 30_000, what: 'compute heartbeats to resume', context: logs });
  });

  test('SIGTERM stops each service with status 0', async () => {
    const running = procs.filter((p) => p.running());
    assert.equal(running.length, 3, logs());
    for (const p of running) p.kill('SIGTERM');
    for (const p of running) {
      const { code } = await p.exitWithin(40_000);
      assert.equal(code, 0, p.log());
      assert.ok(p.logRecords().some((l) => l.msg === 'stopped'), `${p.app} logged its stop`);
    }
  });
});
