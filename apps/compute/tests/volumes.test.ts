import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminContext } from '@zun-ts/common';
import { type DockerContainerDriver } from '@zun-ts/compute-driver-docker';
import { defaultConf } from '@zun-ts/config';
import { type BuildRetry } from '@zun-ts/rpc';
import { LocalVolumeDriver, parseMountinfo } from '@zun-ts/volume-driver-local';
import { ComputeManager } from '../src/compute.manager';
import { type ContainerOperations } from '../src/container-operations';
import { fakeContainer, type FakeConductor, fakeVolume } from './fixtures/fake-conductor';
import { computeHost, testEngine } from './fixtures/compute-host';

// Containers with volumes on the stack's real engine and the real local volume driver (loop-mounted images
// under a temporary mount prefix; run as root, the engine sharing this mount namespace), with the conductor
// in memory.
const HOST = 'vol-test-host';
const LABEL = 'zun-ts.test';
const runId = `compute-volumes-${process.pid}`;
const ctx = adminContext('req-volumes-it');
const retry: BuildRetry = { request: { container_uuid: 'x', run: true, hints: {}, availability_zone: null, requested_host: null }, attempt: 1, hosts: [HOST] };

let prefix: string;
let engine: DockerContainerDriver;
let volumeDriver: LocalVolumeDriver;
let conductor: FakeConductor;
let ops: ContainerOperations;
let manager: ComputeManager;
const volumeIds = new Set<string>();

function sh(file: string, args: string[]): string {
  return execFileSync(file, args, { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } });
}

function mountsUnder(dir: string): string[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .filter((m) => m.mountPoint === dir || m.mountPoint.startsWith(`${dir}/`))
    .reverse()
    .map((m) => m.mountPoint);
}

before(() => {
  if (process.getuid?.() !== 0) throw new Error('apps/compute/tests/volumes.test.ts makes loop mounts and must run as root');
  prefix = realpathSync(mkdtempSync(join(tmpdir(), 'zun-compute-vol-')));
  engine = testEngine(120_000);
  volumeDriver = new LocalVolumeDriver({ mountPrefix: prefix, host: HOST, releaseWaitMs: 2000 });
  ({ conductor, ops } = computeHost(HOST, engine, { volume: volumeDriver }));
  manager = new ComputeManager(defaultConf({ DEFAULT: { host: HOST } }), engine, ops);
});

after(async () => {
  for (const c of conductor ? [...conductor.rows.keys()] : []) await engine.delete(ctx, c, { force: true }).catch(() => undefined);
  for (const id of volumeIds) {
    await volumeDriver.detach(ctx, id).catch(() => undefined);
    await volumeDriver.delete(ctx, id).catch(() => undefined);
  }
  if (!prefix) return;
  for (const mp of mountsUnder(prefix)) sh('umount', ['-l', mp]);
  const volumesDir = join(prefix, 'volumes');
  if (existsSync(volumesDir)) {
    for (const n of readdirSync(volumesDir)) if (statSync(join(volumesDir, n)).isDirectory()) sh('chattr', ['-i', join(volumesDir, n)]);
  }
  rmSync(prefix, { recursive: true, force: true });
  await engine.close();
});

/** A container record of this host that runs `sleep`, labelled for cleanup. */
function record(uuid = randomUUID()) {
  return conductor.put(fakeContainer({ uuid, name: `vol-${uuid.slice(0, 8)}`, command: ['sleep', '3600'], labels: { [LABEL]: runId }, memory: '128', host: HOST }));
}

async function createRun(uuid: string): Promise<void> {
  const c = conductor.row(uuid);
  await manager.containerCreate(ctx, { container_uuid: uuid, container: c, run: true, retry });
  const row = conductor.row(uuid);
  assert.equal(row.status, 'Running', `${row.status}: ${row.status_reason ?? conductor.reports.map((r) => r.reason).join('; ')}`);
}

async function sh_in(uuid: string, script: string): Promise<{ out: string; code: number | null }> {
  const r = await engine.execute(ctx, uuid, { command: ['sh', '-c', script], run: true, timeoutMs: 120_000 });
  return { out: r.output ?? '', code: r.exit_code };
}

void describe('containers with local volumes on the real engine', () => {
  void test('a size=1 volume is ~1 GiB inside, full at 1 GiB, outlives its container and is read by the next; an injected file is read-only', async () => {
    const vol = fakeVolume({ size: 1, auto_remove: false });
    volumeIds.add(vol.uuid);
    const first = record();
    conductor.mountVolume(first.uuid, '/data', vol);
    conductor.mountFile(first.uuid, '/etc/app.conf', 'answer=42\n');
    await createRun(first.uuid);
    assert.equal(conductor.volume(vol.uuid).host, HOST);

    const df = await sh_in(first.uuid, "df -k /data | tail -n 1 | awk '{print $2}'");
    const kb = Number(df.out.trim());
    assert.ok(kb > 0.9 * 1024 * 1024 && kb <= 1024 * 1024, `df says ${df.out}`);
    const full = await sh_in(first.uuid, 'dd if=/dev/zero of=/data/big bs=4M count=512 2>&1; rm -f /data/big');
    assert.match(full.out, /No space left on device/);
    assert.equal((await sh_in(first.uuid, 'echo kept > /data/keep && cat /etc/app.conf')).out.trim(), 'answer=42');
    const ro = await sh_in(first.uuid, 'echo x > /etc/app.conf && echo writable || echo read-only');
    assert.match(ro.out, /read-only/);

    await manager.containerDelete(ctx, { container_uuid: first.uuid, force: true, stop: false });
    assert.equal(conductor.rows.has(first.uuid), false);
    assert.equal(conductor.volume(vol.uuid).status, 'available');
    assert.equal((await volumeDriver.inspect(ctx, vol.uuid)).state, 'available', 'unmounted, kept');

    const second = record();
    conductor.volume(vol.uuid).status = 'in-use';
    conductor.mountVolume(second.uuid, '/data', conductor.volume(vol.uuid));
    await createRun(second.uuid);
    assert.equal((await sh_in(second.uuid, 'cat /data/keep')).out.trim(), 'kept');
    await manager.containerDelete(ctx, { container_uuid: second.uuid, force: true, stop: false });
  });

  void test('after the mounts are lost (host restart) recovery mounts the volume again and the stopped container starts with its data (upstream lost the mounts)', async () => {
    const vol = fakeVolume({ size: 1, auto_remove: true });
    volumeIds.add(vol.uuid);
    const c = record();
    conductor.mountVolume(c.uuid, '/data', vol);
    conductor.mountFile(c.uuid, '/etc/app.conf', 'answer=42\n');
    await createRun(c.uuid);
    await sh_in(c.uuid, 'echo survived > /data/state');
    await manager.containerStop(ctx, { container_uuid: c.uuid, timeout: 1 });
    assert.equal(conductor.row(c.uuid).status, 'Stopped');

    // What a reboot does to this host: every mount gone, injected files kept on disk.
    await volumeDriver.detach(ctx, vol.uuid);
    assert.deepEqual(mountsUnder(prefix), []);
    await assert.rejects(engine.start(ctx, c.uuid), 'without its volume the container does not start (no data on the host disk)');

    await ops.recover(ctx);
    assert.equal((await volumeDriver.inspect(ctx, vol.uuid)).state, 'attached');
    await manager.containerStart(ctx, { container_uuid: c.uuid });
    assert.equal(conductor.row(c.uuid).status, 'Running', conductor.row(c.uuid).status_reason ?? '');
    assert.equal((await sh_in(c.uuid, 'cat /data/state /etc/app.conf')).out.trim(), 'survived\nanswer=42');

    await manager.containerDelete(ctx, { container_uuid: c.uuid, force: true, stop: false });
    await assert.rejects(volumeDriver.inspect(ctx, vol.uuid), /could not be found/);
    assert.deepEqual(conductor.volumesDestroyed.includes(vol.uuid), true, 'the auto_remove volume went with its container');
  });
});
