import assert from 'node:assert/strict';
import { adminContext } from '@zun-ts/common';
import { type VolumeDriver } from './volume-driver';
import { InvalidVolumeSpec, VolumeAlreadyExists, VolumeInUse, VolumeNotFound } from './volume.errors';

/** One host for one contract test. */
export interface VolumeDriverContractHost {
  driver: VolumeDriver;
  /** `[volume] mount_prefix` of this driver: every path it hands out lies under it. */
  mountPrefix: string;
  /** Undo everything the test made on the host; called even when the test failed. */
  cleanup(): Promise<void>;
}

/** `test` of node:test, or anything with its shape. */
export type ContractTestFn = (name: string, fn: () => Promise<void>) => unknown;

/**
 * The behaviour every {@link VolumeDriver} shares: states, idempotency and errors. The strict fake and the
 * local driver both run it, so code tested against the fake meets the same rules on a real host.
 */
export function volumeDriverContract(test: ContractTestFn, newHost: () => Promise<VolumeDriverContractHost>): void {
  const ctx = adminContext();
  const A = '0a0a0a0a-0000-4000-8000-00000000000a';
  const B = '0b0b0b0b-0000-4000-8000-00000000000b';
  const F = '0f0f0f0f-0000-4000-8000-00000000000f';
  const on = (body: (h: VolumeDriverContractHost) => Promise<void>) => async () => {
    const h = await newHost();
    try {
      await body(h);
    } finally {
      await h.cleanup();
    }
  };

  test('contract: create makes an available volume; a redelivered create returns it; another spec conflicts', on(async ({ driver }) => {
    const first = await driver.create(ctx, { volume_id: A, size: 1 });
    assert.equal(first.created, true);
    assert.deepEqual([first.volume.volume_id, first.volume.size, first.volume.state, first.volume.host_path], [A, 1, 'available', null]);
    const again = await driver.create(ctx, { volume_id: A, size: 1 });
    assert.equal(again.created, false);
    assert.deepEqual(again.volume, first.volume);
    await assert.rejects(driver.create(ctx, { volume_id: A, size: 2 }), VolumeAlreadyExists);
    assert.deepEqual((await driver.list(ctx)).map((v) => [v.volume_id, v.size, v.state]), [[A, 1, 'available']]);
    assert.deepEqual(await driver.inspect(ctx, A), first.volume);
  }));

  test('contract: a bad id, size or filesystem is InvalidVolumeSpec and makes nothing', on(async ({ driver }) => {
    const bad: Array<[string, number, string | undefined]> = [
      ['../etc', 1, undefined],
      [A.toUpperCase(), 1, undefined],
      [A, 0, undefined],
      [A, -1, undefined],
      [A, 1.5, undefined],
      [A, Number.NaN, undefined],
      [A, 1, 'ntfs'],
    ];
    for (const [volume_id, size, fstype] of bad) {
      await assert.rejects(driver.create(ctx, { volume_id, size, fstype: fstype as 'ext4' | undefined }), InvalidVolumeSpec, `${volume_id} ${size} ${fstype}`);
    }
    await assert.rejects(driver.attach(ctx, 'not-a-uuid'), InvalidVolumeSpec);
    assert.deepEqual(await driver.list(ctx), []);
  }));

  test('contract: attach mounts once under the prefix; unknown volumes are VolumeNotFound', on(async ({ driver, mountPrefix }) => {
    await driver.create(ctx, { volume_id: A, size: 1 });
    const att = await driver.attach(ctx, A);
    assert.equal(att.mounted_now, true);
    assert.ok(att.host_path.startsWith(`${mountPrefix}/`), att.host_path);
    const again = await driver.attach(ctx, A);
    assert.deepEqual([again.mounted_now, again.host_path], [false, att.host_path]);
    const info = await driver.inspect(ctx, A);
    assert.deepEqual([info.state, info.host_path], ['attached', att.host_path]);
    assert.equal(typeof info.connection_info.driver_volume_type, 'string');
    await assert.rejects(driver.attach(ctx, B), VolumeNotFound);
    await assert.rejects(driver.inspect(ctx, B), VolumeNotFound);
    await driver.detach(ctx, A);
  }));

  test('contract: delete refuses an attached volume; detach and delete are idempotent', on(async ({ driver }) => {
    await driver.create(ctx, { volume_id: A, size: 1 });
    await driver.attach(ctx, A);
    await assert.rejects(driver.delete(ctx, A), VolumeInUse);
    assert.equal((await driver.inspect(ctx, A)).state, 'attached', 'a refused delete changes nothing');
    await driver.detach(ctx, A);
    await driver.detach(ctx, A);
    await driver.detach(ctx, B);
    assert.deepEqual([(await driver.inspect(ctx, A)).state, (await driver.inspect(ctx, A)).host_path], ['available', null]);
    await driver.delete(ctx, A);
    await driver.delete(ctx, A);
    await driver.delete(ctx, B);
    await assert.rejects(driver.inspect(ctx, A), VolumeNotFound);
    assert.deepEqual(await driver.list(ctx), []);
  }));

  test('contract: ensureMounted mounts what exists and reports the rest without stopping', on(async ({ driver }) => {
    await driver.create(ctx, { volume_id: A, size: 1 });
    const res = await driver.ensureMounted(ctx, [B, A, A]);
    assert.deepEqual(res.map((r) => [r.volume_id, r.ok]), [[B, false], [A, true], [A, true]]);
    const [missing, mounted, second] = res;
    assert.ok(missing && !missing.ok && missing.error instanceof VolumeNotFound);
    assert.ok(mounted?.ok && mounted.attachment.mounted_now);
    assert.ok(second?.ok && !second.attachment.mounted_now);
    assert.equal((await driver.inspect(ctx, A)).state, 'attached');
    await driver.detach(ctx, A);
  }));

  test('contract: injected files are written once, read-only, and removed idempotently', on(async ({ driver, mountPrefix }) => {
    const contents = new TextEncoder().encode('key = value\n');
    const f = await driver.writeInjectedFile(ctx, { id: F, contents });
    assert.ok(f.host_path.startsWith(`${mountPrefix}/`), f.host_path);
    assert.equal(f.size, contents.length);
    assert.deepEqual(await driver.writeInjectedFile(ctx, { id: F, contents }), f);
    await assert.rejects(driver.writeInjectedFile(ctx, { id: F, contents: new TextEncoder().encode('other') }), VolumeAlreadyExists);
    await assert.rejects(driver.writeInjectedFile(ctx, { id: '../x', contents }), InvalidVolumeSpec);
    assert.deepEqual(await driver.listInjectedFiles(ctx), [f]);
    await driver.removeInjectedFile(ctx, F);
    await driver.removeInjectedFile(ctx, F);
    assert.deepEqual(await driver.listInjectedFiles(ctx), []);
    assert.deepEqual(await driver.list(ctx), [], 'injected files are not volumes');
  }));
}
