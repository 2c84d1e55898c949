// zun-kolla on several simulated hosts (fixtures/kolla-engine.sh: each host its
// own dockerd in its own network namespace): 1 control host (the
// infrastructure, Zun's control services and HAProxy holding the VIP) and 2
// compute hosts. deploy copies the images host 1 built to the others; the
// real `zun` CLI through the VIP runs containers that land on both computes;
// check names a stopped service on its host and `deploy --limit` repairs it; a
// host taken out of [compute] is retired (its compute service disabled with a
// reason, its container removed); destroy clears every host.
//
// Needs root, python3-zunclient, and the image tree built once on host 1's
// engine (the all-in-one test or `zun-kolla build` does it).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseShow, parseTable, waitFor } from '@zun-ts/testing';
import { serverStatus } from '../src/deploy/vip';
import { CONTROL_GROUPS, type KollaEnv, copyImage, kollaEnv } from './fixtures/kolla-cli';

const VIP = '10.98.0.250';
const USER_IMAGE = 'zun-ts/debian:bookworm';
let env: KollaEnv;

function inventory(compute: number[], spare: number[] = []): string {
  return [
    '[control]',
    `ctl ${env.hostVars(1)}`,
    '[compute]',
    ...compute.map((k) => `cmp${k - 1} ${env.hostVars(k)}`),
    ...(spare.length ? ['[spare]', ...spare.map((k) => `cmp${k - 1} ${env.hostVars(k)}`)] : []),
    ...CONTROL_GROUPS.flatMap((g) => [`[${g}:children]`, 'control']),
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

void describe('zun-kolla: 1 control + 2 compute hosts behind HAProxy', { timeout: 1_500_000 }, () => {
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

  test('rolling upgrade A→B (--serial 1) under a create/list/delete loop: no failed request, nothing lost or stuck, all on B', async () => {
    // two zun-api hosts behind HAProxy, so one can be replaced while the other serves
    const inv = inventory([2]).replace('[zun-api:children]\ncontrol\n', '[zun-api]\n' + `ctl ${env.hostVars(1)}\napi2 ${env.hostVars(3)}\n`);
    writeFileSync(join(env.conf, 'inventory'), inv);
    const d = await env.kolla('deploy');
    assert.equal(d.code, 0, d.err + d.out);
    assert.match(d.out, /api2\s+zun-api\s+container: created/);
    // B: the same images under another tag (what changes is the version the deployment names)
    const one = env.hosts[0];
    assert.ok(one);
    for (const svc of ['api', 'conductor', 'scheduler', 'compute', 'wsproxy']) await one.docker.getImage(`zun-ts/zun-${svc}:latest`).tag({ repo: `zun-ts/zun-${svc}`, tag: 'b' });
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
        if (c.Names[0]?.startsWith('/zun_')) assert.match(c.Image, /^zun-ts\/zun-\w+:b$/, `host ${h.k} ${c.Names[0]}`);
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
