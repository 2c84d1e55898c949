import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminContext, silentLogger } from '@zun-ts/common';
import { type DockerContainerDriver } from '@zun-ts/compute-driver-docker';
import { defaultConf } from '@zun-ts/config';
import { type Container, CONTAINER_TYPES } from '@zun-ts/objects';
import { type BuildRetry } from '@zun-ts/rpc';
import { LocalVolumeDriver, parseMountinfo } from '@zun-ts/volume-driver-local';
import { CapsuleBuilder } from '../src/capsule-builder';
import { ComputeManager } from '../src/compute.manager';
import { ContainerSync } from '../src/container-sync';
import { fakeContainer, type FakeConductor, fakeVolume } from './fixtures/fake-conductor';
import { computeHost, testEngine } from './fixtures/compute-host';

// Capsules on the stack's real engine: the sandbox (pause image from the local registry), members in its
// namespaces, init containers, a volume shared by members (the real local volume driver: loop mounts, as root),
// with the conductor in memory.
const HOST = 'capsule-test-host';
const LABEL = 'zun-ts.test';
const runId = `compute-capsules-${process.pid}`;
const ctx = adminContext('req-capsules-it');
const retry: BuildRetry = { request: { container_uuid: 'x', run: true, hints: {}, availability_zone: null, requested_host: null }, attempt: 1, hosts: [HOST] };
const LOOP = ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 0.2; done"];

let prefix: string;
let engine: DockerContainerDriver;
let volumeDriver: LocalVolumeDriver;
let conductor: FakeConductor;
let manager: ComputeManager;
let sync: ContainerSync;
const volumeIds = new Set<string>();
let nextId = 5000;

function sh(file: string, args: string[]): string {
  return execFileSync(file, args, { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } });
}

before(() => {
  if (process.getuid?.() !== 0) throw new Error('apps/compute/tests/capsules.test.ts makes loop mounts and must run as root');
  prefix = realpathSync(mkdtempSync(join(tmpdir(), 'zun-compute-capsules-')));
  engine = testEngine(120_000);
  volumeDriver = new LocalVolumeDriver({ mountPrefix: prefix, host: HOST, releaseWaitMs: 2000 });
  const h = computeHost(HOST, engine, { volume: volumeDriver });
  conductor = h.conductor;
  const { records, volumes, networks, builder, locks, ops } = h;
  const capsules = new CapsuleBuilder(engine, records, volumes, networks, locks, silentLogger(), { image_pull_policy: 'ifnotpresent', pollMs: 100 });
  manager = new ComputeManager(defaultConf({ DEFAULT: { host: HOST } }), engine, ops, { capsules });
  sync = new ContainerSync(engine, records, builder, networks, locks, silentLogger(), { orphanGraceMs: 3_600_000, capsules });
});

after(async () => {
  for (const c of conductor ? [...conductor.rows.keys()] : []) await engine.delete(ctx, c, { force: true }).catch(() => undefined);
  for (const id of volumeIds) {
    await volumeDriver.detach(ctx, id).catch(() => undefined);
    await volumeDriver.delete(ctx, id).catch(() => undefined);
  }
  if (!prefix) return;
  const mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).filter((m) => m.mountPoint.startsWith(`${prefix}/`)).reverse();
  for (const m of mounts) sh('umount', ['-l', m.mountPoint]);
  const volumesDir = join(prefix, 'volumes');
  if (existsSync(volumesDir)) {
    for (const n of readdirSync(volumesDir)) if (statSync(join(volumesDir, n)).isDirectory()) sh('chattr', ['-i', join(volumesDir, n)]);
  }
  rmSync(prefix, { recursive: true, force: true });
  await engine.close();
});

interface MemberSpec {
  name: string;
  init?: boolean;
  command: string[];
  mounts?: { volume: string; path: string }[];
  exposed?: Record<string, Record<string, never>>;
}

/** A capsule as the API writes it (rows, mappings) and the conductor places it (every row on this host). */
function capsule(members: MemberSpec[], volumes: Record<string, ReturnType<typeof fakeVolume>> = {}): { capsule: Container; members: Container[] } {
  const id = nextId++;
  const c = conductor.put(fakeContainer({
    id, uuid: randomUUID(), container_type: CONTAINER_TYPES.capsule, name: `caps-${id}`, image: 'kubernetes/pause:3.0', command: null, environment: null,
    labels: { [LABEL]: runId }, memory: '128', cpu: 0.5, host: HOST, restart_policy: { Name: 'always', MaximumRetryCount: '0' },
  }));
  const rows = members.map((m) => {
    const row = conductor.put(fakeContainer({
      id: nextId++, uuid: randomUUID(), capsule_id: id, name: `capsule-caps-${id}-${m.name}`, command: m.command, environment: null, labels: { [LABEL]: runId },
      container_type: m.init ? CONTAINER_TYPES.capsuleInitContainer : CONTAINER_TYPES.capsuleContainer, host: HOST, memory: '64', exposed_ports: m.exposed ?? null,
      restart_policy: m.init ? { Name: 'no', MaximumRetryCount: '0' } : { Name: 'always', MaximumRetryCount: '0' },
    }));
    for (const mount of m.mounts ?? []) {
      const v = volumes[mount.volume];
      assert.ok(v, `volume ${mount.volume} declared`);
      volumeIds.add(v.uuid);
      conductor.mountVolume(row.uuid, mount.path, conductor.volumes.get(v.uuid) ?? v);
    }
    return row;
  });
  return { capsule: c, members: rows };
}

async function build(c: Container): Promise<Container> {
  await manager.containerCreate(ctx, { container_uuid: c.uuid, container: conductor.row(c.uuid), run: true, retry });
  return conductor.row(c.uuid);
}

async function run(uuid: string, script: string): Promise<{ out: string; code: number | null }> {
  const r = await engine.execute(ctx, uuid, { command: ['sh', '-c', script], run: true, timeoutMs: 60_000 });
  return { out: r.output ?? '', code: r.exit_code };
}

const engineHas = async (uuid: string): Promise<boolean> => engine.inspect(ctx, uuid).then(() => true, () => false);

void describe('capsules on the real engine', () => {
  void test('a web server and a sidecar share the sandbox: localhost, one PID namespace; delete removes members, sandbox and rows', async () => {
    const { capsule: c, members } = capsule([
      { name: 'web', command: ['sh', '-c', "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www"], exposed: { '8080/tcp': {} } },
      { name: 'sidecar', command: LOOP },
    ]);
    const built = await build(c);
    assert.equal(built.status, 'Running', built.status_reason ?? '');
    assert.ok(built.container_id);
    const [web, sidecar] = members.map((m) => conductor.row(m.uuid));
    assert.equal(web?.status, 'Running');
    assert.equal(sidecar?.status, 'Running');
    const got = await run(sidecar?.uuid ?? '', 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://localhost:8080/ && exit 0; sleep 0.3; done; exit 1');
    assert.equal(got.out.trim(), 'hello-from-web', got.out);
    const ps = await run(sidecar?.uuid ?? '', 'ps');
    assert.match(ps.out, /httpd -f -p 8080/, 'the sidecar sees the web server\'s process');
    assert.match(ps.out, /\/pause/, 'and the sandbox\'s');
    // The engine containers join the sandbox's namespaces.
    const raw = await engine.inspect(ctx, web?.uuid ?? '');
    assert.equal(raw.running, true);

    // Sync: a container dying shows in the capsule's status.
    await engine.kill(ctx, sidecar?.uuid ?? '', 'KILL');
    await new Promise((r) => setTimeout(r, 300));
    await sync.syncAll(ctx);
    const afterKill = conductor.row(c.uuid);
    // The sidecar restarts (restart policy always): either it is back already or the capsule says which one is down.
    if (conductor.row(sidecar?.uuid ?? '').status !== 'Running') {
      assert.notEqual(afterKill.status, 'Running');
      assert.match(afterKill.status_reason ?? '', /Container capsule-caps-\d+-sidecar is/);
    }

    await manager.containerDelete(ctx, { container_uuid: c.uuid, force: true, stop: false });
    for (const uuid of [c.uuid, ...members.map((m) => m.uuid)]) {
      assert.equal(conductor.rows.has(uuid), false, `row ${uuid} destroyed`);
      assert.equal(await engineHas(uuid), false, `engine container zun-${uuid} removed`);
    }
  });

  void test('two init containers run in order on a shared volume, then the container, which reads what they wrote', async () => {
    const scratch = fakeVolume({ size: 1, auto_remove: true, status: 'in-use' });
    const { capsule: c, members } = capsule([
      { name: 'first', init: true, command: ['sh', '-c', 'echo one > /work/log'], mounts: [{ volume: 's', path: '/work' }] },
      { name: 'second', init: true, command: ['sh', '-c', 'test -f /work/log && echo two >> /work/log'], mounts: [{ volume: 's', path: '/work' }] },
      { name: 'app', command: LOOP, mounts: [{ volume: 's', path: '/data' }] },
    ], { s: scratch });
    const built = await build(c);
    assert.equal(built.status, 'Running', built.status_reason ?? '');
    const [first, second, app] = members.map((m) => conductor.row(m.uuid));
    assert.equal(first?.status, 'Stopped');
    assert.equal(second?.status, 'Stopped');
    assert.equal(app?.status, 'Running');
    assert.deepEqual((await run(app?.uuid ?? '', 'cat /data/log')).out.trim().split('\n'), ['one', 'two']);

    // Redelivered: nothing is made twice, the capsule stays Running.
    await manager.containerCreate(ctx, { container_uuid: c.uuid, container: conductor.row(c.uuid), run: true, retry });
    assert.equal(conductor.row(c.uuid).status, 'Running');

    await manager.containerDelete(ctx, { container_uuid: c.uuid, force: true, stop: false });
    assert.equal(conductor.volumes.has(scratch.uuid), false, 'the volume made for the capsule is removed with it');
    for (const uuid of [c.uuid, ...members.map((m) => m.uuid)]) assert.equal(await engineHas(uuid), false);
  });

  void test('a failing init container: capsule Error with the reason, no container started; delete cleans up', async () => {
    const named = fakeVolume({ size: 1, auto_remove: false, status: 'in-use' });
    const { capsule: c, members } = capsule([
      { name: 'prep', init: true, command: ['sh', '-c', 'echo failing; exit 3'], mounts: [{ volume: 'n', path: '/n' }] },
      { name: 'app', command: LOOP },
    ], { n: named });
    const built = await build(c);
    assert.equal(built.status, 'Error');
    assert.match(built.status_reason ?? '', /^Init container capsule-caps-\d+-prep exited with code 3\.$/);
    const [prep, app] = members.map((m) => conductor.row(m.uuid));
    assert.equal(prep?.status, 'Stopped', 'as the engine says: it ended');
    assert.equal(prep?.status_reason, 'Exited with code 3');
    assert.equal(app?.status, 'Error');
    assert.match(app?.status_reason ?? '', /^Not started: Init container/);
    assert.equal(await engineHas(app?.uuid ?? ''), false, 'the container was never made');

    await manager.containerDelete(ctx, { container_uuid: c.uuid, force: true, stop: false });
    assert.equal(conductor.rows.has(c.uuid), false);
    assert.equal(conductor.volumes.get(named.uuid)?.status, 'available', 'a volume the capsule only named is kept');
  });
});
