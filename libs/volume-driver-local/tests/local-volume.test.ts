import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CommandFailed, execFileRunner, VolumeAttachFailed, VolumeCreateFailed, VolumeDetachFailed, VolumeInUse, VolumeNotFound } from '../src';
import { type LoopHost, loopHost, loopsUnder, mountsUnder, sh, waitUntil } from './fixtures/loop-host';

const GiB = 1024 ** 3;
const V1 = '5e000000-0000-4000-8000-000000000001';
const V2 = '5e000000-0000-4000-8000-000000000002';

/** Runs `body` on a fresh temporary host that is always cleaned up. */
async function onHost(body: (h: LoopHost) => Promise<void>): Promise<void> {
  const h = await loopHost();
  try {
    await body(h);
  } finally {
    await h.cleanup();
  }
}

/** Size and free bytes of the filesystem holding `path`, as df reports them. */
function df(path: string): { size: number; avail: number; fstype: string } {
  const lines = sh('df', ['-B1', '--output=size,avail,fstype', path]).trim().split('\n');
  const [size, avail, fstype] = (lines[1] ?? '').trim().split(/\s+/);
  return { size: Number(size), avail: Number(avail), fstype: fstype ?? '' };
}

void describe('LocalVolumeDriver on real loop mounts', () => {
  void test('a 1 GiB volume: mounted ext4 of about 1 GiB, sparse on the host; writing 2 GiB ends in ENOSPC', async () => {
    await onHost(async ({ driver, ctx, prefix }) => {
      const { volume, created } = await driver.create(ctx, { volume_id: V1, size: 1 });
      assert.equal(created, true);
      assert.deepEqual([volume.size, volume.fstype, volume.state], [1, 'ext4', 'available']);
      const image = join(prefix, 'volumes', `${V1}.img`);
      assert.equal(statSync(image).size, GiB);
      assert.ok(statSync(image).blocks * 512 < 128 * 1024 * 1024, 'a new image is sparse');
      assert.equal(sh('blkid', ['-o', 'value', '-s', 'UUID', image]).trim(), V1, 'the filesystem uuid is the volume id');

      const att = await driver.attach(ctx, V1);
      assert.equal(att.host_path, join(prefix, 'volumes', V1, 'data'));
      assert.deepEqual(mountsUnder(prefix), [join(prefix, 'volumes', V1)]);
      const dev = att.connection_info.data.device_path;
      assert.match(String(dev), /^\/dev\/loop\d+$/);
      assert.deepEqual(loopsUnder(prefix), [dev]);
      const mountOpts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.includes(` ${join(prefix, 'volumes', V1)} `)) ?? '';
      assert.match(mountOpts, /nosuid/);
      assert.match(mountOpts, /nodev/);

      const d = df(att.host_path);
      assert.equal(d.fstype, 'ext4');
      assert.ok(d.size > 0.9 * GiB && d.size <= GiB, `df size ${d.size}`);
      assert.ok(d.avail > 0.9 * GiB, `no blocks reserved for root: avail ${d.avail}`);

      const dd = spawnSync('dd', ['if=/dev/zero', `of=${join(att.host_path, 'big')}`, 'bs=4M', 'count=512'], { encoding: 'utf8' });
      assert.notEqual(dd.status, 0, 'writing 2 GiB into a 1 GiB volume fails');
      assert.match(dd.stderr, /No space left on device/);
      assert.ok(statSync(join(att.host_path, 'big')).size < GiB);
      assert.ok(df(att.host_path).avail < 16 * 1024 * 1024, 'the volume is full');
      assert.ok(statSync(image).size === GiB, 'the image did not grow');

      await driver.detach(ctx, V1);
      assert.deepEqual(mountsUnder(prefix), []);
      // The kernel releases the loop device in the background once the written data is flushed; delete
      // waits for that instead of calling the volume busy.
      await driver.delete(ctx, V1);
      assert.deepEqual([loopsUnder(prefix), readdirSync(join(prefix, 'volumes'))], [[], []]);
    });
  });

  void test('a redelivered create and attach, even concurrent, make one image, one filesystem, one mount', async () => {
    await onHost(async ({ driver, ctx, prefix }) => {
      const results = await Promise.all([driver.create(ctx, { volume_id: V1, size: 1 }), driver.create(ctx, { volume_id: V1, size: 1 })]);
      assert.deepEqual(results.map((r) => r.created).sort(), [false, true]);
      const att = await driver.attach(ctx, V1);
      writeFileSync(join(att.host_path, 'keep'), 'first');
      // The same create delivered again after the volume is in use must not reformat it.
      const again = await driver.create(ctx, { volume_id: V1, size: 1 });
      assert.deepEqual([again.created, again.volume.state], [false, 'attached']);
      const both = await Promise.all([driver.attach(ctx, V1), driver.attach(ctx, V1)]);
      assert.deepEqual(both.map((a) => a.mounted_now), [false, false]);
      assert.equal(readFileSync(join(att.host_path, 'keep'), 'utf8'), 'first');
      assert.deepEqual(readdirSync(join(prefix, 'volumes')).sort(), [V1, `${V1}.img`]);
      assert.equal(mountsUnder(prefix).length, 1);
      assert.equal(loopsUnder(prefix).length, 1);
      await driver.detach(ctx, V1);
    });
  });

  void test('the leftovers of a create that died half-way are not a volume and are replaced by the next create', async () => {
    await onHost(async ({ driver, ctx, prefix }) => {
      await driver.list(ctx); // makes the layout
      const part = join(prefix, 'volumes', `.${V1}.img.part`);
      writeFileSync(part, 'half a filesystem');
      mkdirSync(join(prefix, 'volumes', V1));
      assert.deepEqual(await driver.list(ctx), []);
      await assert.rejects(driver.attach(ctx, V1), VolumeNotFound);
      const { created, volume } = await driver.create(ctx, { volume_id: V1, size: 1 });
      assert.deepEqual([created, volume.size, volume.fstype], [true, 1, 'ext4']);
      assert.deepEqual(readdirSync(join(prefix, 'volumes')).sort(), [V1, `${V1}.img`]);
      assert.match(sh('lsattr', ['-d', join(prefix, 'volumes', V1)]).split(' ')[0] ?? '', /i/, 'the old mount point is made immutable');
      const att = await driver.attach(ctx, V1);
      assert.ok(statSync(att.host_path).isDirectory());
      await driver.detach(ctx, V1);
    });
  });

  void test('host restart: everything unmounted, then ensureMounted brings the volumes back with their data', async () => {
    await onHost(async ({ driver, ctx, prefix }) => {
      await driver.create(ctx, { volume_id: V1, size: 1 });
      await driver.create(ctx, { volume_id: V2, size: 2 });
      const a1 = await driver.attach(ctx, V1);
      const a2 = await driver.attach(ctx, V2);
      writeFileSync(join(a1.host_path, 'db.dat'), 'row 1\n');
      writeFileSync(join(a2.host_path, 'other.dat'), 'row 2\n');

      // The "reboot": the mounts go away behind the driver's back (auto-clear frees the loop devices).
      for (const mp of mountsUnder(prefix)) sh('umount', [mp]);
      assert.deepEqual(mountsUnder(prefix), []);
      await waitUntil(() => loopsUnder(prefix).length === 0, 10_000, 'the kernel to release the loop devices');
      assert.deepEqual((await driver.list(ctx)).map((v) => [v.volume_id, v.size, v.state, v.host_path]), [
        [V1, 1, 'available', null],
        [V2, 2, 'available', null],
      ]);
      // Unmounted, the mount point is an empty, immutable directory: a container started too early (or
      // Docker making a missing bind source) cannot put data on the host's disk instead of the volume.
      assert.equal(existsSync(a1.host_path), false);
      assert.throws(() => mkdirSync(a1.host_path), /EPERM|operation not permitted/i);

      const res = await driver.ensureMounted(ctx, [V1, V2]);
      assert.deepEqual(res.map((r) => [r.volume_id, r.ok, r.ok && r.attachment.mounted_now, r.ok && r.attachment.host_path]), [
        [V1, true, true, a1.host_path],
        [V2, true, true, a2.host_path],
      ]);
      assert.equal(readFileSync(join(a1.host_path, 'db.dat'), 'utf8'), 'row 1\n');
      assert.equal(readFileSync(join(a2.host_path, 'other.dat'), 'utf8'), 'row 2\n');
      const again = await driver.ensureMounted(ctx, [V1]);
      assert.ok(again[0]?.ok && !again[0].attachment.mounted_now, 'a second ensureMounted changes nothing');
      assert.equal(mountsUnder(prefix).length, 2);
      for (const id of [V1, V2]) await driver.detach(ctx, id);
    });
  });

  void test('a host process working inside a volume makes detach VolumeInUse, and the volume stays mounted', async () => {
    await onHost(async ({ driver, ctx, prefix }) => {
      await driver.create(ctx, { volume_id: V1, size: 1 });
      const att = await driver.attach(ctx, V1);
      const busy = spawn('sleep', ['60'], { cwd: att.host_path, stdio: 'ignore' });
      try {
        await assert.rejects(driver.detach(ctx, V1), (err: Error) => err instanceof VolumeInUse && /busy/.test(err.message));
        assert.equal((await driver.inspect(ctx, V1)).state, 'attached');
        assert.equal(mountsUnder(prefix).length, 1);
      } finally {
        busy.kill('SIGKILL');
        await once(busy, 'exit');
      }
      await driver.detach(ctx, V1);
      await driver.delete(ctx, V1);
    });
  });

  void test('delete removes image and mount point and frees the loop device; a gone volume is gone', async () => {
    await onHost(async ({ driver, ctx, prefix }) => {
      await driver.create(ctx, { volume_id: V1, size: 1 });
      await driver.attach(ctx, V1);
      await driver.detach(ctx, V1);
      await driver.delete(ctx, V1);
      assert.deepEqual(readdirSync(join(prefix, 'volumes')), []);
      assert.deepEqual([mountsUnder(prefix), loopsUnder(prefix)], [[], []]);
      await assert.rejects(driver.attach(ctx, V1), VolumeNotFound);
      const res = await driver.ensureMounted(ctx, [V1]);
      assert.ok(res[0] && !res[0].ok && res[0].error instanceof VolumeNotFound);
    });
  });

  void test('a failed mkfs leaves nothing behind; something foreign mounted on the mount point is never touched', async () => {
    const real = execFileRunner();
    const h = await loopHost({
      run: (file, args) => (file.startsWith('mkfs') && args.includes(V1) ? Promise.reject(new CommandFailed(file, args, 1, 'simulated failure')) : real(file, args)),
    });
    try {
      const { driver, ctx, prefix } = h;
      await assert.rejects(driver.create(ctx, { volume_id: V1, size: 1 }), (err: Error) => err instanceof VolumeCreateFailed && /simulated failure/.test(err.message));
      assert.deepEqual(readdirSync(join(prefix, 'volumes')), [], 'no image, no partial image, no mount point');
      await assert.rejects(driver.inspect(ctx, V1), VolumeNotFound);

      await driver.create(ctx, { volume_id: V2, size: 1 });
      const mp = join(prefix, 'volumes', V2);
      assert.ok(statSync(mp).isDirectory(), 'create makes the mount point');
      sh('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mp]);
      await assert.rejects(driver.attach(ctx, V2), (err: Error) => err instanceof VolumeAttachFailed && /Another filesystem \(tmpfs\)/.test(err.message));
      await assert.rejects(driver.delete(ctx, V2), VolumeInUse);
      await assert.rejects(driver.detach(ctx, V2), (err: Error) => err instanceof VolumeDetachFailed && /Another filesystem/.test(err.message));
      assert.deepEqual(mountsUnder(prefix), [mp], 'the foreign mount is still there');
      sh('umount', [mp]);
      await driver.delete(ctx, V2);
      // Nor does create put a volume under a mount point that is taken.
      sh('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', (mkdirSync(mp), mp)]);
      await assert.rejects(driver.create(ctx, { volume_id: V2, size: 1 }), (err: Error) => err instanceof VolumeCreateFailed && /tmpfs is mounted at/.test(err.message));
      assert.deepEqual(readdirSync(join(prefix, 'volumes')), [V2], 'only the foreign mount point');
      sh('umount', [mp]);
    } finally {
      await h.cleanup();
    }
  });

  void test('xfs volumes, where mkfs.xfs is installed (else a clear VolumeCreateFailed)', async () => {
    await onHost(async ({ driver, ctx, prefix }) => {
      const hasXfs = spawnSync('mkfs.xfs', ['-V'], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } }).status === 0;
      if (!hasXfs) {
        await assert.rejects(driver.create(ctx, { volume_id: V1, size: 1, fstype: 'xfs' }), (err: Error) => err instanceof VolumeCreateFailed && /mkfs\.xfs is not installed/.test(err.message));
        assert.deepEqual(readdirSync(join(prefix, 'volumes')), []);
        return;
      }
      const { volume } = await driver.create(ctx, { volume_id: V1, size: 1, fstype: 'xfs' });
      assert.equal(volume.fstype, 'xfs');
      const att = await driver.attach(ctx, V1);
      assert.equal(df(att.host_path).fstype, 'xfs');
      await driver.detach(ctx, V1);
      await driver.delete(ctx, V1);
    });
  });

  void test('injected files: mode 0444 under the prefix, written atomically', async () => {
    await onHost(async ({ driver, ctx, prefix }) => {
      const f = await driver.writeInjectedFile(ctx, { id: V1, contents: Buffer.from('[client]\nport=3306\n') });
      assert.equal(f.host_path, join(prefix, 'files', V1));
      assert.equal(readFileSync(f.host_path, 'utf8'), '[client]\nport=3306\n');
      assert.equal(statSync(f.host_path).mode & 0o777, 0o444);
      assert.deepEqual(readdirSync(join(prefix, 'files')), [V1], 'no partial file left');
      await driver.removeInjectedFile(ctx, V1);
      assert.deepEqual(readdirSync(join(prefix, 'files')), []);
    });
  });
});
