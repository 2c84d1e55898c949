// zun-kolla on several simulated hosts (fixtures/kolla-engine.sh: each host its
// own dockerd in its own network namespace): 1 control host (the
// infrastructure, Zun's control services and HAProxy holding the VIP) and 2
// compute hosts. deploy copies the images host 1 built to the others; the
// real `zun` CLI through the VIP runs containers that land on both computes;
// check names a stopped service on its host and `deploy --limit` repairs it; a
// host taken out of [compute] is retired (its compute service disabled with a
// reason, its container removed); a rolling upgrade under a client loop;
// killing one of two zun-api behind HAProxy; destroy clears every host.
//
// The full run (`tools/stack test --deploy`, or ZUN_TEST_DEPLOY=full) adds what
// does not fit CI's time beside the rest: conductors scaled from 1 to 3 during
// a 30-container burst, a retired compute host added back with --limit, and an
// upgrade to images built as another release (`build --version <v>+b`), each
// service then logging that version.
//
// Needs root, python3-zunclient, and the image tree built once on host 1's
// engine (the all-in-one test or `zun-kolla build` does it).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageVersion } from '@zun-ts/common';
import { parseShow, parseTable, repoRoot, waitFor } from '@zun-ts/testing';
import { serverStatus } from '../src/deploy/vip';
import { CONTROL_GROUPS, type KollaEnv, copyImage, kollaEnv } from './fixtures/kolla-cli';

const FULL = process.env['ZUN_TEST_DEPLOY'] === 'full';
const VIP = '10.98.0.250';
const VERSION = packageVersion(repoRoot()) ?? 'unknown';
const USER_IMAGE = 'zun-ts/debian:bookworm';
let env: KollaEnv;

function inventory(compute: number[], spare: number[] = [], conductors: number[] = []): string {
  return [
    '[control]',
    `ctl ${env.hostVars(1)}`,
    '[compute]',
    ...compute.map((k) => `cmp${k - 1} ${env.hostVars(k)}`),
    ...(spare.length ? ['[spare]', ...spare.map((k) => `cmp${k - 1} ${env.hostVars(k)}`)] : []),
    ...CONTROL_GROUPS.filter((g) => !(conductors.length && g === 'zun-conductor')).flatMap((g) => [`[${g}:children]`, 'control']),
    ...(conductors.length ? ['[zun-conductor]', `ctl ${env.hostVars(1)}`, ...conductors.map((k) => `cmp${k - 1} ${env.hostVars(k)}`)] : []),
    '[zun-compute:children]',
    'compute',
    '',
  ].join('\n');
}

async function userContainers(k: number): Promise<string[]> {
  const h = env.hosts[k - 1];
  assert.ok(h);
  return (await h.docker.listContainers()).filter((c) => c.Image === USER_IMAGE).map((c) => c.Id);
}

/** The lines of a container's output (stdout and stderr, Docker's stream headers dropped), optionally since a date. */
async function containerLog(k: number, name: string, since?: Date): Promise<string[]> {
  const h = env.hosts[k - 1];
  assert.ok(h);
  const raw = (await h.docker.getContainer(name).logs({ stdout: true, stderr: true, follow: false, ...(since ? { since: Math.floor(since.getTime() / 1000) } : {}) })) as unknown as Buffer;
  const lines: string[] = [];
  for (let i = 0; i + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(i + 4);
    lines.push(...raw.subarray(i + 8, i + 8 + size).toString('utf8').split('\n'));
    i += 8 + size;
  }
  return lines.filter(Boolean);
}

/**
 * `zun run`, as a user does it: a 503 (a service the API needs was busy or away; nothing was written) is tried
 * again after a pause, and counted.
 */
async function runContainer(name: string, args: string[], unavailable: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const r = await env.zun('run', '--name', name, ...args);
    if (r.code === 0) return;
    const show = await env.zun('show', name);
    assert.ok(/\(HTTP 503\)/.test(r.stderr) && show.code !== 0 && attempt < 4, `zun run ${name}: ${r.stderr}${r.stdout}`);
    unavailable.push(`${name}: ${r.stderr.trim()}`);
    await new Promise((res) => setTimeout(res, 5000));
  }
}

async function statusesByName(prefix: string): Promise<Record<string, string>> {
  const rows = parseTable((await env.zun('list')).stdout);
  return Object.fromEntries(rows.filter((r) => r['name']?.startsWith(prefix)).map((r) => [r['name'] ?? '', r['status'] ?? '']));
}

void describe(`zun-kolla: 1 control + 2 compute hosts behind HAProxy (${FULL ? 'full' : 'CI subset'})`, { timeout: FULL ? 3_000_000 : 1_500_000 }, () => {
  before(async () => {
    env = await kollaEnv(3, { vip: VIP, extraGlobals: ['enable_haproxy: yes'] });
    writeFileSync(join(env.conf, 'inventory'), inventory([2, 3]));
    const [one, ...others] = env.hosts;
    assert.ok(one);
    // the containers users run come from each compute host's engine
    for (const h of others) await copyImage(one.docker, h.docker, USER_IMAGE);
    // the engines keep their images between runs: take one away so that deploy's copy is exercised every time
    await others[1]?.docker.getImage('zun-ts/zun-compute:latest').remove({ force: true }).catch(() => undefined);
  });

  after(async () => {
    if (env) await env.down();
  });

  test('deploy: every host healthy; images copied to the compute hosts; the VIP answers GET /healthcheck', async () => {
    const t0 = Date.now();
    const r = await env.kolla('deploy');
    assert.equal(r.code, 0, r.err + r.out);
    console.log(`deploy 1+2: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.match(r.out, /cmp2\s+-\s+image: zun-ts\/zun-compute:latest copied from (ctl|cmp1)/);
    const check = await env.kolla('check');
    assert.equal(check.code, 0, check.err + check.out);
    for (const k of [2, 3]) {
      const names = (await env.hosts[k - 1]?.docker.listContainers())?.map((c) => c.Names[0]);
      assert.deepEqual(names, ['/zun_compute'], `host ${k} runs zun_compute only`);
    }
    const res = await fetch(`http://${VIP}:9517/healthcheck`);
    assert.equal(res.status, 200, 'zun-api through HAProxy');
  });

  test('the zun CLI through the VIP runs containers that land on both compute hosts', async () => {
    const names = [0, 1, 2, 3].map((i) => `mn-${process.pid}-${i}`);
    for (const name of names) {
      const r = await env.zun('run', '--name', name, USER_IMAGE, 'sleep', '600');
      assert.equal(r.code, 0, r.stderr + r.stdout);
    }
    const hostOf: Record<string, string> = {};
    for (const name of names) {
      let shown: Record<string, string> = {};
      await waitFor(async () => (shown = parseShow((await env.zun('show', name)).stdout))['status'] === 'Running', {
        timeoutMs: 90_000,
        what: `${name} Running`,
        context: () => `status ${shown['status'] ?? '?'}: ${shown['status_reason'] ?? ''}`,
      });
      hostOf[name] = shown['host'] ?? '';
    }
    assert.deepEqual([...new Set(Object.values(hostOf))].sort(), ['cmp1', 'cmp2'], JSON.stringify(hostOf));
    const on2 = (await userContainers(2)).length;
    const on3 = (await userContainers(3)).length;
    assert.equal(on2 + on3, 4);
    assert.ok(on2 > 0 && on3 > 0, `the engines run ${on2} and ${on3}`);
    for (const name of names) assert.equal((await env.zun('delete', '--force', name)).code, 0);
    await waitFor(async () => (await userContainers(2)).length + (await userContainers(3)).length === 0, { timeoutMs: 90_000, what: 'the containers deleted' });
  });

  if (FULL) {
    test('conductors scale from 1 to 3 during a 30-container burst: every container Running, each conductor handled builds; back to 1', async () => {
      const prefix = `burst-${process.pid}-`;
      const unavailable: string[] = [];
      const since = new Date(Date.now() - 1000);
      const wave = (from: number): Promise<void[]> =>
        Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((j) => runContainer(`${prefix}${from + j}`, ['--cpu', '0.1', '--memory', '16', USER_IMAGE, 'sleep', '600'], unavailable)));
      try {
        await wave(0);
        // the two compute hosts join [zun-conductor] while the next 10 are created
        writeFileSync(join(env.conf, 'inventory'), inventory([2, 3], [], [2, 3]));
        const [up] = await Promise.all([env.kolla('deploy'), wave(10)]);
        assert.equal(up.code, 0, up.err + up.out);
        assert.match(up.out, /cmp1\s+zun-conductor\s+container: created/);
        assert.match(up.out, /cmp2\s+zun-conductor\s+container: created/);
        await wave(20);
        let now: Record<string, string> = {};
        await waitFor(async () => Object.values((now = await statusesByName(prefix))).filter((st) => st === 'Running').length === 30, {
          timeoutMs: 300_000,
          intervalMs: 3000,
          what: '30 containers Running',
          context: () => JSON.stringify(now),
        });
        const claims = await Promise.all([1, 2, 3].map(async (k) => (await containerLog(k, 'zun_conductor', since)).filter((l) => l.includes('"host claimed"')).length));
        console.log(`builds per conductor (ctl, cmp1, cmp2): ${claims.join(' / ')}; ${unavailable.length} create(s) answered 503 and were tried again`);
        assert.equal(claims.reduce((a, b) => a + b, 0) >= 30, true, `every build claimed a host: ${claims.join('/')}`);
        assert.ok(claims.every((c) => c > 0), `each conductor handled builds: ${claims.join('/')}`);
      } finally {
        const names = Object.keys(await statusesByName(prefix));
        for (const name of names) await env.zun('delete', '--force', name);
        await waitFor(async () => Object.keys(await statusesByName(prefix)).length === 0, { timeoutMs: 180_000, what: 'the burst deleted' });
      }
      // out of [zun-conductor] again: deploy retires the extra conductors
      writeFileSync(join(env.conf, 'inventory'), inventory([2, 3]));
      const down = await env.kolla('deploy');
      assert.equal(down.code, 0, down.err + down.out);
      assert.match(down.out, /cmp1\s+-\s+retire: zun_conductor: removed/);
      assert.match(down.out, /cmp2\s+-\s+retire: zun_conductor: removed/);
      for (const k of [2, 3]) assert.deepEqual((await env.hosts[k - 1]?.docker.listContainers())?.map((c) => c.Names[0]), ['/zun_compute'], `host ${k}`);
    });
  }

  test('check names a stopped service on its host; deploy --limit that host repairs it', async () => {
    await env.hosts[2]?.docker.getContainer('zun_compute').stop({ t: 5 });
    const bad = await env.kolla('check');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /host cmp2: zun_compute is not running \(exited\)/);
    const fix = await env.kolla('deploy', '--limit', 'cmp2');
    assert.equal(fix.code, 0, fix.err + fix.out);
    assert.match(fix.out, /cmp2\s+zun-compute\s+container: started/);
    assert.doesNotMatch(fix.out, /^ctl\s/m, 'only the limited host is touched');
    const good = await env.kolla('check');
    assert.equal(good.code, 0, good.err + good.out);
  });

  test('a host taken out of [compute] is retired: its compute service disabled with a reason, its container removed', async () => {
    writeFileSync(join(env.conf, 'inventory'), inventory([2], [3]));
    const r = await env.kolla('deploy');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /cmp2\s+-\s+retire: zun_compute: compute service disabled/);
    assert.deepEqual((await env.hosts[2]?.docker.listContainers({ all: true }))?.map((c) => c.Names[0]), []);
    const list = await env.zun('service-list');
    assert.equal(list.code, 0, list.stderr);
    const rows = parseTable(list.stdout);
    const cmp2 = rows.find((row) => row['Host'] === 'cmp2' && row['Binary'] === 'zun-compute');
    assert.ok(cmp2, list.stdout);
    assert.equal(cmp2['Disabled'], 'True', list.stdout);
    assert.match(cmp2['Disabled Reason'] ?? '', /no longer in group zun-compute/);
    const again = await env.kolla('deploy');
    assert.equal(again.code, 0, again.err + again.out);
    assert.match(again.out, /deploy: nothing changed/, 'retiring is done once');
  });

  if (FULL) {
    test('a host added back with deploy --limit (its compute service enabled again by an operator) receives containers; taken out, it is retired again', async () => {
      writeFileSync(join(env.conf, 'inventory'), inventory([2, 3]));
      const r = await env.kolla('deploy', '--limit', 'cmp2');
      assert.equal(r.code, 0, r.err + r.out);
      assert.match(r.out, /cmp2\s+zun-compute\s+container: created/);
      assert.doesNotMatch(r.out, /^(ctl|cmp1)\s/m, 'only the added host is touched');
      // it stays disabled (retired) until an operator enables it, as a Nova compute service would
      const row = async (): Promise<Record<string, string> | undefined> => parseTable((await env.zun('service-list')).stdout).find((x) => x['Host'] === 'cmp2' && x['Binary'] === 'zun-compute');
      assert.equal((await row())?.['Disabled'], 'True');
      const en = await env.zun('service-enable', 'cmp2', 'zun-compute');
      assert.equal(en.code, 0, en.stderr + en.stdout);
      await waitFor(async () => (await row())?.['State'] === 'up', { timeoutMs: 60_000, what: 'cmp2 zun-compute up' });
      const name = `back-${process.pid}`;
      const run = await env.zun('run', '--host', 'cmp2', '--name', name, USER_IMAGE, 'sleep', '600');
      assert.equal(run.code, 0, run.stderr + run.stdout);
      let shown: Record<string, string> = {};
      await waitFor(async () => (shown = parseShow((await env.zun('show', name)).stdout))['status'] === 'Running', { timeoutMs: 90_000, what: `${name} Running`, context: () => JSON.stringify(shown) });
      assert.equal(shown['host'], 'cmp2');
      assert.equal((await userContainers(3)).length, 1, 'its engine runs it');
      assert.equal((await env.zun('delete', '--force', name)).code, 0);
      await waitFor(async () => (await userContainers(3)).length === 0, { timeoutMs: 90_000, what: `${name} deleted` });
      writeFileSync(join(env.conf, 'inventory'), inventory([2], [3]));
      const again = await env.kolla('deploy');
      assert.equal(again.code, 0, again.err + again.out);
      assert.match(again.out, /cmp2\s+-\s+retire: zun_compute: compute service disabled/);
    });
  }

  test('rolling upgrade A→B (--serial 1) under a create/list/delete loop: no failed request, nothing lost or stuck, all on B', async () => {
    // two zun-api hosts behind HAProxy, so one can be replaced while the other serves
    const inv = inventory([2]).replace('[zun-api:children]\ncontrol\n', '[zun-api]\n' + `ctl ${env.hostVars(1)}\napi2 ${env.hostVars(3)}\n`);
    writeFileSync(join(env.conf, 'inventory'), inv);
    const d = await env.kolla('deploy');
    assert.equal(d.code, 0, d.err + d.out);
    assert.match(d.out, /api2\s+zun-api\s+container: created/);
    // B: in the full run, the same code built as another release (its ZUN_VERSION); in CI's, the same images
    // under another tag (what changes is the tag the deployment names)
    const one = env.hosts[0];
    assert.ok(one);
    const versionB = FULL ? `${VERSION}+b` : VERSION;
    if (FULL) {
      const b = await env.kolla('build', '--version', versionB, '--tag', 'b', '--images', 'zun-', '--docker-host', `unix://${one.socket}`);
      assert.equal(b.code, 0, b.err + b.out);
    } else {
      for (const svc of ['api', 'conductor', 'scheduler', 'compute', 'wsproxy']) await one.docker.getImage(`zun-ts/zun-${svc}:latest`).tag({ repo: `zun-ts/zun-${svc}`, tag: 'b' });
    }
    writeFileSync(join(env.conf, 'globals.yml'), `${readFileSync(join(env.conf, 'globals.yml'), 'utf8')}zun_tag: b\n`);

    const failures: string[] = [];
    let requests = 0;
    let stop = false;
    const loop = (async (): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const name = `up-${process.pid}-${i}`;
        for (const args of [['run', '--name', name, USER_IMAGE, 'sleep', '600'], ['list'], ['delete', '--force', name]]) {
          requests++;
          const r = await env.zun(...args);
          if (r.code !== 0) failures.push(`${args[0] ?? ''} ${name}: ${r.stderr.trim()}`);
        }
      }
    })();
    const t0 = Date.now();
    const up = await env.kolla('upgrade', '--serial', '1');
    const took = (Date.now() - t0) / 1000;
    stop = true;
    await loop;
    console.log(`rolling upgrade: ${took.toFixed(1)} s, ${requests} requests during it, ${failures.length} failed`);
    assert.equal(up.code, 0, up.err + up.out);
    const order = [...up.out.matchAll(/^(\S+)\s+(zun-\S+)\s+upgrade: /gm)].map((m) => `${m[1] ?? ''}/${m[2] ?? ''}`);
    assert.deepEqual(order, ['ctl/zun-conductor', 'ctl/zun-scheduler', 'ctl/zun-api', 'api2/zun-api', 'ctl/zun-wsproxy', 'cmp1/zun-compute']);
    assert.ok(up.out.indexOf('bootstrap_zun') < up.out.indexOf('zun-conductor'), 'the new image migrates first');
    assert.deepEqual(failures, []);
    assert.ok(requests >= 6, `the loop ran during the upgrade (${requests} requests)`);
    await waitFor(async () => (await env.zun('list')).stdout.split('\n').filter((l) => l.includes(`up-${process.pid}-`)).length === 0, { timeoutMs: 120_000, what: 'no container left' });
    assert.deepEqual(await userContainers(2), [], 'nothing left on the compute host');
    for (const h of env.hosts) {
      for (const c of await h.docker.listContainers()) {
        const name = c.Names[0]?.slice(1) ?? '';
        if (!name.startsWith('zun_')) continue;
        assert.match(c.Image, /^zun-ts\/zun-\w+:b$/, `host ${h.k} ${name}`);
        // every service says which release it runs on each log line
        const versions = new Set((await containerLog(h.k, name)).flatMap((l) => [...l.matchAll(/"version":"([^"]*)"/g)].map((m) => m[1])));
        assert.deepEqual([...versions], [versionB], `host ${h.k} ${name} logs the version of B`);
      }
    }
    const check = await env.kolla('check');
    assert.equal(check.code, 0, check.err + check.out);
  });

  test('one of two zun-api killed: requests through HAProxy keep succeeding (failures counted until it is marked down)', async () => {
    const pw = readFileSync(join(env.conf, 'admin-openrc'), 'utf8').match(/OS_PASSWORD=(.*)/)?.[1] ?? '';
    const auth = await fetch(`http://${VIP}:5000/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: pw } } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } }),
    });
    const token = auth.headers.get('x-subject-token') ?? '';
    assert.ok(token, `Keystone: ${auth.status}`);
    const statuses = async (): Promise<Record<string, string>> => serverStatus(await (await fetch(`http://${VIP}:1984/;csv`)).text(), 'zun_api');
    assert.deepEqual(await statuses(), { ctl: 'UP', api2: 'UP' });
    let ok = 0;
    const failed: string[] = [];
    let stop = false;
    const client = async (): Promise<void> => {
      while (!stop) {
        try {
          const r = await fetch(`http://${VIP}:9517/v1/containers`, { headers: { 'x-auth-token': token }, signal: AbortSignal.timeout(10_000) });
          await r.arrayBuffer();
          if (r.status === 200) ok++;
          else failed.push(`HTTP ${r.status}`);
        } catch (e) {
          failed.push((e as Error).message);
        }
      }
    };
    const clients = [client(), client(), client(), client()];
    await new Promise((r) => setTimeout(r, 2000));
    const before = ok;
    const killedAt = Date.now();
    // no grace period: SIGTERM, then SIGKILL at once (a stop, so Docker does not restart it behind HAProxy's back)
    await env.hosts[2]?.docker.getContainer('zun_api').stop({ t: 0 });
    await waitFor(async () => (await statuses())['api2']?.startsWith('DOWN') ?? false, { timeoutMs: 30_000, intervalMs: 100, what: 'HAProxy marks api2 down' });
    const downAfter = (Date.now() - killedAt) / 1000;
    const failedUntilDown = failed.length;
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await Promise.all(clients);
    console.log(`zun_api killed: marked down after ${downAfter.toFixed(1)} s; ${failedUntilDown} of ${ok - before + failed.length} requests failed until then, ${failed.length} in all`);
    assert.deepEqual(failed, [], 'HAProxy retried refused connections on the other zun-api');
    assert.ok(ok - before > 20, `requests kept being answered (${ok - before})`);
    // deploy brings it back
    const d = await env.kolla('deploy', '--limit', 'api2');
    assert.equal(d.code, 0, d.err + d.out);
  });

  test('destroy clears every host', async () => {
    const r = await env.kolla('destroy', '--yes-i-really-really-mean-it');
    assert.equal(r.code, 0, r.err + r.out);
    for (const h of env.hosts) assert.deepEqual((await h.docker.listContainers({ all: true })).filter((c) => c.Image !== USER_IMAGE).map((c) => c.Names[0]), [], `host ${h.k}`);
  });
});
