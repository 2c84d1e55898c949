// zun-kolla on simulated hosts (tools/deploy/tests/fixtures: an engine per network namespace): time to deploy
// 1 control + 2 compute hosts from built images, zun-api throughput (GET /v1/containers, 16 at a time) through
// HAProxy with 1 and then 2 zun-api hosts, and a rolling upgrade (--serial 1) with the requests that failed
// during it (target 0).
// Run (as root, after the image tree is built on host 1, e.g. by the all-in-one test):
//   node --import tsx bench/deploy/deploy.bench.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_GROUPS, type KollaEnv, kollaEnv } from '../../tools/deploy/tests/fixtures/kolla-cli';
import { benchResults, fmt } from '../stats';

const VIP = '10.98.0.250';
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONCURRENCY = 16;
const results = benchResults('deploy');

function inventory(env: KollaEnv, apis: string[]): string {
  return [
    '[control]',
    `ctl ${env.hostVars(1)}`,
    '[compute]',
    `cmp1 ${env.hostVars(2)}`,
    `cmp2 ${env.hostVars(3)}`,
    ...CONTROL_GROUPS.filter((g) => g !== 'zun-api').flatMap((g) => [`[${g}:children]`, 'control']),
    '[zun-api]',
    ...apis.map((h) => `${h} ${env.hostVars(h === 'ctl' ? 1 : 3)}`),
    '[zun-compute:children]',
    'compute',
    '',
  ].join('\n');
}

async function token(env: KollaEnv): Promise<string> {
  const pw = /OS_PASSWORD=(.*)/.exec(readFileSync(join(env.conf, 'admin-openrc'), 'utf8'))?.[1] ?? '';
  const res = await fetch(`http://${VIP}:5000/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: pw } } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } }),
  });
  const t = res.headers.get('x-subject-token');
  if (!t) throw new Error(`Keystone: ${res.status}`);
  return t;
}

/** GET /v1/containers through the VIP by `workers` loops until `until()`; answered and failed counts. */
async function hammer(tok: string, workers: number, until: () => boolean): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!until()) {
        try {
          const r = await fetch(`http://${VIP}:9517/v1/containers`, { headers: { 'x-auth-token': tok }, signal: AbortSignal.timeout(15_000) });
          await r.arrayBuffer();
          if (r.status === 200) ok++;
          else failed++;
        } catch {
          failed++;
        }
      }
    }),
  );
  return { ok, failed };
}

async function kolla(env: KollaEnv, ...argv: string[]): Promise<number> {
  const t0 = Date.now();
  const r = await env.kolla(...argv);
  if (r.code !== 0) throw new Error(`zun-kolla ${argv.join(' ')}: ${r.err}${r.out}`);
  return (Date.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const env = await kollaEnv(3, { vip: VIP, extraGlobals: ['enable_haproxy: yes'] });
  try {
    writeFileSync(join(env.conf, 'inventory'), inventory(env, ['ctl']));
    const deploy = await kolla(env, 'deploy');
    results.add({ figure: 'deploy 1 control + 2 compute from built images', ours: deploy, reference: null, unit: 's', ratio: null, target: null, met: null });
    console.log(`deploy 1+2: ${fmt(deploy, 1)} s`);
    const tok = await token(env);
    const rate = async (): Promise<number> => {
      await hammer(tok, CONCURRENCY, ((end) => () => Date.now() > end)(Date.now() + 2000)); // warm-up
      const end = Date.now() + SECONDS * 1000;
      const r = await hammer(tok, CONCURRENCY, () => Date.now() > end);
      return r.ok / SECONDS;
    };
    const one = await rate();
    writeFileSync(join(env.conf, 'inventory'), inventory(env, ['ctl', 'cmp2']));
    await kolla(env, 'deploy');
    const two = await rate();
    results.add({ figure: `list containers through HAProxy, c${CONCURRENCY}: 2 zun-api hosts (ref: 1)`, ours: two, reference: one, unit: 'req/s', ratio: two / one, target: null, met: null });
    console.log(`GET /v1/containers c${CONCURRENCY}: 1 zun-api ${fmt(one, 1)} req/s, 2 zun-api ${fmt(two, 1)} req/s`);

    const host1 = env.hosts[0];
    if (!host1) throw new Error('no host 1');
    for (const svc of ['api', 'conductor', 'scheduler', 'compute', 'wsproxy']) await host1.docker.getImage(`zun-ts/zun-${svc}:latest`).tag({ repo: `zun-ts/zun-${svc}`, tag: 'b' });
    writeFileSync(join(env.conf, 'globals.yml'), `${readFileSync(join(env.conf, 'globals.yml'), 'utf8')}zun_tag: b\n`);
    let done = false;
    const during = hammer(tok, 4, () => done);
    const upgrade = await kolla(env, 'upgrade', '--serial', '1').finally(() => (done = true));
    const load = await during;
    results.add({ figure: 'rolling upgrade A→B, --serial 1 (zun-api on ctl and cmp2, compute on cmp1 and cmp2)', ours: upgrade, reference: null, unit: 's', ratio: null, target: null, met: null });
    results.add({ figure: 'requests failed during the rolling upgrade (GET /v1/containers, 4 loops)', ours: load.failed, reference: load.ok + load.failed, unit: 'requests', ratio: null, target: '0', met: load.failed === 0 });
    console.log(`rolling upgrade: ${fmt(upgrade, 1)} s; ${load.failed} of ${load.ok + load.failed} requests failed`);
    await env.kolla('destroy', '--yes-i-really-really-mean-it');
  } finally {
    await env.down();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
