import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type Docker from 'dockerode';
import { silentLogger } from '@zun-ts/common';
import { DISK_QUOTA_PROBE_PREFIX, probeDiskQuota } from './docker-disk-quota';

/** The two engine calls the probe makes, recorded; `create` decides the engine's answer. */
function fakeApi(create: () => Promise<unknown>): { api: Docker; created: unknown[]; removed: string[] } {
  const created: unknown[] = [];
  const removed: string[] = [];
  const api = {
    createContainer: async (opts: unknown) => {
      created.push(opts);
      return create();
    },
    getContainer: (name: string) => ({ remove: async () => void removed.push(name) }),
  } as unknown as Docker;
  return { api, created, removed };
}

const xfs = { Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'xfs']] as Array<[string, string]> };

describe('probeDiskQuota', () => {
  test('overlay2 on xfs: an image-less container with a size is created and removed → supported', async () => {
    const f = fakeApi(async () => ({}));
    assert.equal(await probeDiskQuota(f.api, xfs, silentLogger()), true);
    const opts = f.created[0] as { name: string; Image: string; HostConfig: { StorageOpt: Record<string, string> } };
    assert.ok(opts.name.startsWith(DISK_QUOTA_PROBE_PREFIX));
    assert.equal(opts.Image, '');
    assert.deepEqual(opts.HostConfig.StorageOpt, { size: '1G' });
    assert.deepEqual(f.removed, [opts.name]);
  });

  test('the engine refuses the size (xfs without pquota) → not supported, nothing left behind', async () => {
    const refusal = Object.assign(new Error('(HTTP code 500) server error'), {
      statusCode: 500,
      json: { message: "--storage-opt is supported only for overlay over xfs with 'pquota' mount option" },
    });
    const f = fakeApi(async () => Promise.reject(refusal));
    assert.equal(await probeDiskQuota(f.api, xfs, silentLogger()), false);
    assert.deepEqual(f.removed, []);
  });

  test('overlay2 on ext4: known unsupported without asking the engine', async () => {
    const f = fakeApi(async () => ({}));
    const ext4 = { Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']] as Array<[string, string]> };
    assert.equal(await probeDiskQuota(f.api, ext4, silentLogger()), false);
    assert.equal(f.created.length, 0);
  });

  test('an engine that does not answer is an error, not a "no"', async () => {
    const f = fakeApi(async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })));
    await assert.rejects(probeDiskQuota(f.api, xfs, silentLogger()), /ECONNREFUSED/);
  });
});
