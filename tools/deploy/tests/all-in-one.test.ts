// The Kolla-style deployment end to end, on a dedicated Docker engine this test
// starts in its own network namespace (fixtures/kolla-engine.sh), so the
// host-networked all-in-one uses Kolla's default ports without meeting the
// services of this machine, and no other engine is touched:
// build (reused between runs: the engine's data root is kept) → deploy → the
// real `zun` CLI runs, execs and deletes a container through the deployed API
// → deploy again changes nothing → an override edit + reconfigure restarts only
// that service → a killed service makes check fail and Docker restarts it →
// destroy leaves no container, volume or config dir.
//
// Needs root, debootstrap, the Debian mirror (first run only), python3-zunclient.
// ZUN_KOLLA_TEST_STATE: the engine's state dir (default /var/cache/zun-kolla/test-engine).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { parseShow, repoRoot, runZun, waitFor } from '@zun-ts/testing';
import { runCli } from '../src/cli/run';
import { parseYamlMap } from '../src/inventory/yaml-file';

const run = promisify(execFile);
const repo = repoRoot();
const state = process.env['ZUN_KOLLA_TEST_STATE'] ?? '/var/cache/zun-kolla/test-engine';
const engineScript = join(repo, 'tools/deploy/tests/fixtures/kolla-engine.sh');
const ADDRESS = '10.98.0.2'; // the namespace's address (kolla-engine.sh)
const IMAGES = ['base', 'mariadb', 'redis', 'keystone', 'haproxy', 'zun-base', 'zun-api', 'zun-conductor', 'zun-scheduler', 'zun-compute', 'zun-wsproxy'];
const SERVICES = ['mariadb', 'redis', 'keystone', 'zun_conductor', 'zun_scheduler', 'zun_api', 'zun_wsproxy', 'zun_compute'];

let socket = '';
let docker: Docker;
let conf = '';
let etc = '';

/** The hard open-files limit of the test's dockerd. */
function engineNofile(): number {
  const pid = readFileSync(join(state, 'dockerd.pid'), 'utf8').trim();
  const m = /^Max open files\s+\d+\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return m?.[1] && m[1] !== 'unlimited' ? Math.min(Number(m[1]), 1048576) : 1048576;
}

async function kolla(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli([...argv, '--configdir', conf], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

async function startedAt(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of SERVICES) out[name] = (await docker.getContainer(name).inspect()).State.StartedAt;
  return out;
}

function zun(...args: string[]): ReturnType<typeof runZun> {
  return runZun(conf, 'admin', args, { timeoutMs: 90_000 });
}

void describe('zun-kolla: all-in-one on a dedicated engine', { timeout: 1_500_000 }, () => {
  before(async () => {
    await run('node', [join(repo, 'tools/build.mjs')], { cwd: repo });
    socket = (await run(engineScript, ['up', state])).stdout.trim();
    docker = new Docker({ socketPath: socket });
    // the engine is this test's own: whatever an earlier run left goes, the images stay
    for (const c of await docker.listContainers({ all: true })) await docker.getContainer(c.Id).remove({ force: true });
    for (const v of (await docker.listVolumes()).Volumes ?? []) await docker.getVolume(v.Name).remove();
    for (const n of await docker.listNetworks({ filters: { label: ['zun.network.id'] } })) await docker.getNetwork(n.Id).remove();
    conf = mkdtempSync(join(tmpdir(), 'zun-kolla-aio-'));
    etc = join(conf, 'etc-kolla');
    const inventory = readFileSync(join(repo, 'deploy/inventory/all-in-one'), 'utf8').replace(
      /^localhost ansible_connection=local$/gm,
      `localhost ansible_connection=local api_interface_address=${ADDRESS} docker_host=unix://${socket}`,
    );
    writeFileSync(join(conf, 'inventory'), inventory);
    writeFileSync(
      join(conf, 'globals.yml'),
      [
        `kolla_internal_vip_address: ${ADDRESS}`,
        `node_config_directory: ${etc}`,
        `docker_socket: ${socket}`,
        'default_container_healthcheck_interval: 2',
        'default_container_healthcheck_timeout: 30',
        'default_container_healthcheck_start_period: 120',
        // a container cannot have more open files than its engine (Kolla asks for 1048576)
        `default_container_nofile: ${engineNofile()}`,
        '',
      ].join('\n'),
    );
    assert.equal((await kolla('genpwd')).code, 0);
    const pw = parseYamlMap(readFileSync(join(conf, 'passwords.yml'), 'utf8'), 'passwords.yml').entries.get('keystone_admin_password')?.value;
    writeFileSync(
      join(conf, 'admin-openrc'),
      [`OS_AUTH_URL=http://${ADDRESS}:5000/v3`, 'OS_USERNAME=admin', `OS_PASSWORD=${String(pw)}`, 'OS_PROJECT_NAME=admin', 'OS_USER_DOMAIN_NAME=Default', 'OS_PROJECT_DOMAIN_NAME=Default', 'OS_IDENTITY_API_VERSION=3', 'OS_REGION_NAME=RegionOne']
        .map((l) => `export ${l}`)
        .join('\n'),
    );
  });

  after(async () => {
    if (socket) await run(engineScript, ['down', state]).catch((e: Error) => console.error(e.message));
    if (conf) rmSync(conf, { recursive: true, force: true });
  });

  test('build: the image tree on the engine; a rebuild with nothing changed reuses every layer', async () => {
    const first = await kolla('build', '--docker-host', `unix://${socket}`);
    assert.equal(first.code, 0, first.err + first.out);
    const ids = async (): Promise<string[]> => Promise.all(IMAGES.map(async (i) => (await docker.getImage(`zun-ts/${i}:latest`).inspect()).Id));
    const built = await ids();
    const again = await kolla('build', '--docker-host', `unix://${socket}`);
    assert.equal(again.code, 0, again.err + again.out);
    const lines = again.out.split('\n').filter((l) => /^build\s+\S+\s+zun-ts\/\S+:0\.1\.0: /.test(l));
    assert.equal(lines.length, IMAGES.length, again.out);
    for (const l of lines) assert.match(l, /: unchanged in [\d.]+s \(same inputs, every layer reused\)$/, l);
    assert.deepEqual(await ids(), built, 'the same images');
    const api = await docker.getImage('zun-ts/zun-api:latest').inspect();
    assert.equal(api.Id, (await docker.getImage('zun-ts/zun-api:0.1.0').inspect()).Id, 'a tag per version, and latest');
    assert.deepEqual(api.Config.Entrypoint, ['dumb-init', '--single-child', '--']);
  });

  test('deploy: every container healthy, host networking, kolla_logs, unless-stopped; compute reaches Docker by the socket only', async () => {
    const r = await kolla('deploy');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /bootstrap_zun\s+run: done/);
    const check = await kolla('check');
    assert.equal(check.code, 0, check.err + check.out);
    for (const name of SERVICES) {
      const c = await docker.getContainer(name).inspect();
      assert.equal(c.HostConfig.NetworkMode, 'host', name);
      assert.equal(c.HostConfig.RestartPolicy?.Name, 'unless-stopped', name);
      assert.equal(c.State.Health?.Status, 'healthy', name);
      assert.ok(c.Mounts.some((m) => m.Name === 'kolla_logs' && m.Destination === '/var/log/kolla'), name);
    }
    const compute = await docker.getContainer('zun_compute').inspect();
    assert.equal(compute.HostConfig.Privileged, false);
    assert.deepEqual(compute.HostConfig.CapAdd, ['NET_ADMIN'], 'for the project networks, granted to their tools only');
    assert.deepEqual(compute.Mounts.filter((m) => m.Type === 'bind').map((m) => m.Destination).sort(), ['/etc/localtime', '/var/lib/kolla/config_files', '/var/run/docker.sock']);
    assert.match(readFileSync(join(etc, 'zun-compute/zun.conf'), 'utf8'), /^docker_remote_api_host = unix:\/\/\/var\/run\/docker\.sock$/m);
    assert.ok(!(await docker.listContainers({ all: true })).some((c) => c.Names.includes('/bootstrap_zun')), 'the one-shot is removed');
  });

  test('the zun CLI runs, execs and deletes a container through the deployed API', async () => {
    const name = `aio-${process.pid}`;
    const created = await zun('run', '--name', name, 'zun-ts/debian:bookworm', 'sleep', '600');
    assert.equal(created.code, 0, created.stderr + created.stdout);
    let shown: Record<string, string> = {};
    await waitFor(async () => (shown = parseShow((await zun('show', name)).stdout))['status'] === 'Running', {
      timeoutMs: 60_000,
      what: `${name} Running`,
      context: () => `status ${shown['status'] ?? '?'}: ${shown['status_reason'] ?? ''}`,
    });
    const ex = await zun('exec', name, 'echo', 'hello from kolla');
    assert.equal(ex.code, 0, ex.stderr);
    assert.match(ex.stdout, /hello from kolla/);
    const onEngine = (await docker.listContainers()).filter((c) => c.Image === 'zun-ts/debian:bookworm');
    assert.equal(onEngine.length, 1, 'the container runs on the deployed compute host');
    assert.equal((await zun('delete', '--force', name)).code, 0);
    await waitFor(async () => (await zun('show', name)).code !== 0, { timeoutMs: 60_000, what: `${name} deleted` });
    assert.equal((await docker.listContainers({ all: true })).filter((c) => c.Image === 'zun-ts/debian:bookworm').length, 0);
  });

  test('deploy again changes nothing', async () => {
    const before = await startedAt();
    const r = await kolla('deploy');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /deploy: nothing changed/);
    assert.deepEqual(await startedAt(), before);
  });

  test('an override edit + reconfigure restarts exactly that service', async () => {
    const before = await startedAt();
    mkdirSync(join(conf, 'config/zun'), { recursive: true });
    writeFileSync(join(conf, 'config/zun/zun-scheduler.conf'), '[DEFAULT]\ndebug = true\n');
    const r = await kolla('reconfigure');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /reconfigure: changed localhost\/zun_scheduler \(/);
    assert.match(r.out, /zun-scheduler\s+container: restarted/);
    const now = await startedAt();
    for (const name of SERVICES) {
      if (name === 'zun_scheduler') assert.notEqual(now[name], before[name], name);
      else assert.equal(now[name], before[name], name);
    }
    const e = await docker.getContainer('zun_scheduler').exec({ Cmd: ['cat', '/etc/zun/zun.conf'], AttachStdout: true });
    const out = await new Promise<string>((resolve, reject) => {
      void e.start({}).then((s) => {
        let text = '';
        s.on('data', (d: Buffer) => (text += d.toString()));
        s.on('end', () => resolve(text));
        s.on('error', reject);
      });
    });
    assert.match(out, /^debug = true$/m, 'the override reached the container');
  });

  test('a killed service makes check fail, and Docker restarts it', async () => {
    const c = await docker.getContainer('zun_conductor').inspect();
    process.kill(c.State.Pid, 'SIGKILL');
    // Docker restarts it at once; check fails until a health probe of the new run passes, then passes again.
    const seen: { failed?: Awaited<ReturnType<typeof kolla>> } = {};
    await waitFor(
      async () => {
        const r = await kolla('check');
        if (r.code !== 0) seen.failed ??= r;
        return seen.failed !== undefined && r.code === 0;
      },
      { timeoutMs: 120_000, intervalMs: 50, what: 'check fails, then passes again' },
    );
    assert.equal(seen.failed?.code, 1);
    assert.match(seen.failed?.err ?? '', /host localhost: zun_conductor is (not running|not healthy yet|unhealthy)/);
    assert.ok((await docker.getContainer('zun_conductor').inspect()).RestartCount > c.RestartCount);
  });

  test('destroy leaves no container, volume or config dir', async () => {
    assert.equal((await kolla('destroy')).code, 2, 'not without --yes-i-really-really-mean-it');
    const r = await kolla('destroy', '--yes-i-really-really-mean-it');
    assert.equal(r.code, 0, r.err + r.out);
    assert.deepEqual((await docker.listContainers({ all: true })).map((c) => c.Names[0]), []);
    assert.deepEqual(((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name), []);
    assert.deepEqual((await docker.listNetworks({ filters: { label: ['zun.network.id'] } })).map((n) => n.Name), [], 'the project network went with its last container');
    assert.deepEqual(existsSync(etc) ? readdirSync(etc) : [], []);
  });
});
