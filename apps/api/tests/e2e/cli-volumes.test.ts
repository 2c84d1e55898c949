// End to end: volumes with the real `zun` CLI on the stack (local volume driver: a sparse image per volume,
// loop-mounted under the stack's [volume] mount_prefix and bind-mounted into the container). The `zun` CLI
// has no volume commands; volumes of their own are made and listed with /v1/volumes over HTTP.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseShow, waitFor } from '@zun-ts/testing';
import { Cleanup, createdUuid, docker, dockerHost, LONG_RUNNING, ok, stackState, testName, zun, ZunPoller } from './fixtures/stack-cli';
import { restartHost } from './fixtures/stack-restart';

const ENOSPC = /No space left on device/;

interface VolumeView {
  uuid: string;
  name: string | null;
  size: number;
  status: string;
  auto_remove: boolean;
  attachments: { container_uuid: string; destination: string }[];
}

function backingFile(volumeUuid: string): string {
  return join(stackState(), 'volumes', 'volumes', `${volumeUuid}.img`);
}

function mountPoint(volumeUuid: string): string {
  return join(stackState(), 'volumes', 'volumes', volumeUuid);
}

function isMounted(path: string): boolean {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === path);
}

async function exec(user: 'demo' | 'alt_demo', container: string, ...cmd: string[]): Promise<{ code: number; out: string }> {
  const r = await zun(user, 'exec', container, ...cmd);
  return { code: r.code, out: r.stdout + r.stderr };
}

void describe('volumes through the zun CLI', () => {
  const cleanup = new Cleanup();
  const volumes = new Set<string>();
  let admin: ZunPoller;
  let demo: ZunPoller;
  let altDemo: ZunPoller;

  async function volumeOf(container: string): Promise<VolumeView> {
    const r = await demo.api('GET', '/volumes');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const found = (r.body as { volumes: VolumeView[] }).volumes.filter((v) => v.attachments.some((a) => a.container_uuid === container));
    assert.equal(found.length, 1, `one volume attached to ${container}: ${JSON.stringify(r.body)}`);
    return found[0] as VolumeView;
  }

  async function makeVolume(name: string, size = 1): Promise<VolumeView> {
    const r = await demo.api('POST', '/volumes', { name, size });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const v = r.body as VolumeView;
    volumes.add(v.uuid);
    assert.equal(v.status, 'available');
    return v;
  }

  async function volumeGone(uuid: string): Promise<void> {
    await waitFor(async () => (await demo.api('GET', `/volumes/${uuid}`)).status === 404, { what: `volume ${uuid} to be deleted`, timeoutMs: 30_000, intervalMs: 200 });
    assert.equal(existsSync(backingFile(uuid)), false, `the backing file of ${uuid} is still there`);
    volumes.delete(uuid);
  }

  async function runWith(mount: string, ...cmd: string[]): Promise<string> {
    const name = testName('vol');
    const out = ok(await zun('demo', 'run', '--name', name, '--mount', mount, 'busybox', ...(cmd.length ? cmd : LONG_RUNNING)), `zun run --mount ${mount}`);
    return cleanup.container(createdUuid(out));
  }

  before(async () => {
    [admin, demo, altDemo] = await Promise.all([ZunPoller.login('admin'), ZunPoller.login('demo'), ZunPoller.login('alt_demo')]);
  });
  after(async () => {
    await cleanup.run(admin);
    for (const uuid of volumes) await demo.api('DELETE', `/volumes/${uuid}`);
  });

  test('--mount size=1: a 1 GiB filesystem at the destination, ENOSPC past it, removed with its container', async () => {
    const uuid = await runWith('size=1,destination=/data');
    await admin.settled(uuid, 'Running', 60_000);
    const vol = await volumeOf(uuid);
    assert.equal(vol.size, 1);
    assert.equal(vol.auto_remove, true);
    assert.equal(vol.status, 'in-use');
    assert.ok(existsSync(backingFile(vol.uuid)), 'the volume has a backing file');
    const df = await exec('demo', uuid, 'df', '-k', '/data');
    assert.equal(df.code, 0, df.out);
    const kib = Number(/\s(\d+)\s+\d+\s+\d+\s+\d+%\s+\/data/.exec(df.out)?.[1]);
    assert.ok(kib > 900 * 1024 && kib <= 1024 * 1024, `df shows about 1 GiB: ${df.out}`);
    const small = await exec('demo', uuid, 'sh', '-c', 'echo kept > /data/file && cat /data/file');
    assert.match(small.out, /kept/);
    const big = await docker('exec', `zun-${uuid}`, 'dd', 'if=/dev/zero', 'of=/data/big', 'bs=1M', 'count=2048');
    assert.notEqual(big.code, 0, 'a 2 GiB write into a 1 GiB volume must fail');
    assert.match(big.stderr + big.stdout, ENOSPC);
    ok(await zun('demo', 'delete', '--stop', uuid), 'zun delete --stop');
    await admin.gone(uuid, 60_000);
    await volumeGone(vol.uuid);
  });

  test('an existing volume: data written by one container is read by the next; it outlives both', async () => {
    const vol = await makeVolume(testName('data'));
    const a = await runWith(`source=${vol.name ?? ''},destination=/data`);
    await admin.settled(a, 'Running', 60_000);
    assert.equal((await exec('demo', a, 'sh', '-c', 'echo from-a > /data/note')).code, 0);
    // Not shareable: a second container cannot mount it while the first has it.
    const busy = await zun('demo', 'run', '--mount', `source=${vol.uuid},destination=/data`, 'busybox', ...LONG_RUNNING);
    assert.notEqual(busy.code, 0, 'a volume in use by another container is refused');
    assert.match(busy.stderr, /in use/i);
    ok(await zun('demo', 'delete', '--stop', a), 'zun delete a');
    await admin.gone(a, 60_000);
    await waitFor(async () => ((await demo.api('GET', `/volumes/${vol.uuid}`)).body as VolumeView).status === 'available', {
      what: 'the volume to be available again',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    assert.ok(existsSync(backingFile(vol.uuid)), 'a volume of the user is not deleted with its container');
    const b = await runWith(`source=${vol.uuid},destination=/srv`);
    await admin.settled(b, 'Running', 60_000);
    assert.match((await exec('demo', b, 'cat', '/srv/note')).out, /from-a/);
    ok(await zun('demo', 'delete', '--stop', b), 'zun delete b');
    await admin.gone(b, 60_000);
    const del = await demo.api('DELETE', `/volumes/${vol.uuid}`);
    assert.equal(del.status, 204, JSON.stringify(del.body));
    await volumeGone(vol.uuid);
  });

  test('another project\'s volume is not found and never mounted', async () => {
    const vol = await makeVolume(testName('mine'));
    const r = await zun('alt_demo', 'run', '--mount', `source=${vol.uuid},destination=/data`, 'busybox', ...LONG_RUNNING);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /could not be found/);
    assert.equal((await altDemo.api('GET', `/volumes/${vol.uuid}`)).status, 404);
    const shown = (await demo.api('GET', `/volumes/${vol.uuid}`)).body as VolumeView;
    assert.equal(shown.status, 'available');
    assert.deepEqual(shown.attachments, []);
  });

  for (const version of ['1.25', '1.40']) {
    test(`an injected file (type=bind) at ${version}: the file's text, read-only`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'zun-inject-'));
      try {
        const file = join(dir, 'app.conf');
        writeFileSync(file, `answer = 42 (${version})\n`);
        const name = testName('inject');
        const out = ok(
          await zun('demo', '--zun-api-version', version, 'run', '--name', name, '--mount', `type=bind,source=${file},destination=/etc/app.conf`, 'busybox', ...LONG_RUNNING),
          'zun run --mount type=bind',
        );
        const uuid = cleanup.container(createdUuid(out));
        await admin.settled(uuid, 'Running', 60_000);
        assert.match((await exec('demo', uuid, 'cat', '/etc/app.conf')).out, new RegExp(`answer = 42 \\(${version.replace('.', '\\.')}\\)`));
        // `zun exec` exits 0 whatever the command did: the engine tells the exit code.
        const write = await docker('exec', `zun-${uuid}`, 'sh', '-c', 'echo changed > /etc/app.conf');
        assert.notEqual(write.code, 0, `the injected file is read-only: ${write.stdout}${write.stderr}`);
        assert.match(write.stderr + write.stdout, /Read-only file system/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('bad mounts are refused with a 4xx and leave nothing behind', async () => {
    const before = ((await demo.api('GET', '/volumes')).body as { volumes: VolumeView[] }).volumes.length;
    const cases: [unknown, number, RegExp][] = [
      [[{ type: 'bind', source: '%%% not base64 %%%', destination: '/etc/x' }], 400, /base64/i],
      [[{ size: 0, destination: '/d' }], 400, /size/],
      [[{ size: -1, destination: '/d' }], 400, /size/],
      [[{ size: '1.5', destination: '/d' }], 400, /size/],
      [[{ size: 1, destination: 'relative/path' }], 400, /destination/],
      [[{ size: 1, destination: '/d' }, { size: 1, destination: '/d' }], 400, /destination/],
      [[{ source: 'no-such-volume-anywhere', destination: '/d' }], 404, /could not be found/],
      [[{ size: 100000, destination: '/d' }], 403, /Quota exceeded/],
    ];
    for (const [mounts, status, message] of cases) {
      const r = await demo.api('POST', '/containers', { image: 'busybox', command: ['true'], mounts });
      assert.equal(r.status, status, `${JSON.stringify(mounts)} → ${JSON.stringify(r.body)}`);
      const err = (r.body as { errors?: { title?: string; detail?: string }[] }).errors?.[0];
      assert.match(`${err?.title ?? ''} ${err?.detail ?? ''}`, message, JSON.stringify(r.body));
    }
    const old = await demo.api('POST', '/containers', { image: 'busybox', mounts: [{ size: 1, destination: '/d' }] }, '1.10');
    assert.ok(old.status >= 400 && old.status < 500, `mounts below 1.11: ${old.status} ${JSON.stringify(old.body)}`);
    assert.equal(((await demo.api('GET', '/volumes')).body as { volumes: VolumeView[] }).volumes.length, before, 'no volume was made by a refused create');
  });

  test('a failed start never detaches or deletes the user\'s volume (upstream Zun deleted it)', async () => {
    const vol = await makeVolume(testName('keep'));
    const a = await runWith(`source=${vol.uuid},destination=/data`, 'sh', '-c', 'echo precious > /data/f');
    await admin.settled(a, 'Stopped', 60_000);
    ok(await zun('demo', 'delete', a), 'zun delete a');
    await admin.gone(a, 60_000);
    // The command does not exist in the image: the create succeeds, the start fails.
    const name = testName('badstart');
    const b = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--name', name, '--mount', `source=${vol.uuid},destination=/data`, 'busybox', '/no/such/command'), 'zun run')));
    const failed = await admin.settled(b, 'Error', 60_000);
    assert.match(failed.status_reason ?? '', /no such file|not found|executable/i);
    const held = (await demo.api('GET', `/volumes/${vol.uuid}`)).body as VolumeView;
    assert.equal(held.status, 'in-use');
    assert.ok(existsSync(backingFile(vol.uuid)), 'the backing file is still there');
    ok(await zun('demo', 'delete', b), 'zun delete b');
    await admin.gone(b, 60_000);
    const c = await runWith(`source=${vol.uuid},destination=/data`, 'cat', '/data/f');
    await admin.settled(c, 'Stopped', 60_000);
    assert.match(ok(await zun('demo', 'logs', c), 'zun logs'), /precious/);
  });

  test('after a host restart every volume is mounted again before its container is reported, and zun start works (upstream lost the mounts)', async () => {
    const uuid = await runWith('size=1,destination=/data');
    await admin.settled(uuid, 'Running', 60_000);
    assert.equal((await exec('demo', uuid, 'sh', '-c', 'echo survives > /data/f')).code, 0);
    const vol = await volumeOf(uuid);
    ok(await zun('demo', 'stop', uuid), 'zun stop');
    await admin.settled(uuid, 'Stopped', 60_000);
    // Stop zun-compute and the engine, unmount the volume, start them again.
    assert.ok(isMounted(mountPoint(vol.uuid)), 'the volume is mounted before the restart');
    await restartHost({ unmount: [mountPoint(vol.uuid)] });
    await waitFor(async () => isMounted(mountPoint(vol.uuid)), { what: 'the volume to be mounted again by zun-compute', timeoutMs: 60_000, intervalMs: 200 });
    const shown = parseShow(ok(await zun('demo', 'show', uuid), 'zun show'));
    assert.equal(shown['status'], 'Stopped');
    ok(await zun('demo', 'start', uuid), 'zun start');
    await admin.settled(uuid, 'Running', 60_000);
    assert.match((await exec('demo', uuid, 'cat', '/data/f')).out, /survives/);
  });
  test('after that restart --disk is still enforced (regression: btrfs quota groups left inconsistent by a dockerd restart applied no limit)', async (t) => {
    if (!dockerHost().includes(stackState())) {
      t.skip('the stack uses an engine it does not run itself: its data root is not the stack\'s');
      return;
    }
    const uuid = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--name', testName('disk'), '--disk', '1', 'busybox', ...LONG_RUNNING), 'zun run --disk 1')));
    await admin.settled(uuid, 'Running', 60_000);
    const big = await docker('exec', `zun-${uuid}`, 'dd', 'if=/dev/zero', 'of=/big', 'bs=1M', 'count=2048');
    assert.notEqual(big.code, 0, 'a 2 GiB write into a 1 GiB container must fail');
    assert.match(big.stderr + big.stdout, /No space left on device|Disk quota exceeded/);
  });
});
