import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adminContext, ImageNotFound, silentLogger } from '@zun-ts/common';
import { DockerError, FakeContainerDriver } from '@zun-ts/compute-driver';
import { type Image } from '@zun-ts/objects';
import { CONDUCTOR, type ImagePulledRequest, localClient } from '@zun-ts/rpc';
import { ImageOperations, imageRowRef } from './image-operations';

const REGISTRY = '127.0.0.1:5050';
const ctx = adminContext('req-img');

function row(patch: Partial<Image> = {}): Image {
  return { id: 1, uuid: 'f0a8c6e2-3b1d-4c55-9a77-0d2f6b1e9c11', repo: `${REGISTRY}/busybox`, tag: 'latest', image_id: null, size: null, host: 'cn1',
    project_id: 'p', user_id: 'u', created_at: new Date(0), updated_at: null, ...patch };
}

/** The conductor's image methods, recording what the host asked; `gone` answers imagePulled as for a deleted row. */
function conductor(opts: { gone?: boolean } = {}) {
  const pulled: ImagePulledRequest[] = [];
  const destroyed: string[] = [];
  const client = localClient(CONDUCTOR, {
    imagePulled: async (_c, args) => {
      if (opts.gone) throw new ImageNotFound(`Image ${args.image_uuid} could not be found.`);
      pulled.push(args);
      return { ...row(), image_id: args.image_id, size: args.size };
    },
    imageDestroy: async (_c, args) => void destroyed.push(args.image_uuid),
  }, { host: 'cn1', binary: 'zun-compute' });
  return { client, pulled, destroyed };
}

describe('ImageOperations', () => {
  test('a pull records image_id, the size as a string and the engine\'s repo and tag; a redelivery records the same', async () => {
    const driver = FakeContainerDriver.simulated({ defaultRegistry: REGISTRY });
    const c = conductor();
    const ops = new ImageOperations(driver, c.client, silentLogger());
    await ops.pull(ctx, row(), null);
    await ops.pull(ctx, row(), 'ifnotpresent');
    assert.equal(c.pulled.length, 2);
    assert.deepEqual(c.pulled[0], { image_uuid: row().uuid, image_id: `sha256:${'0'.repeat(64)}`, size: '2000000', repo: `${REGISTRY}/busybox`, tag: 'latest' });
    assert.deepEqual(c.pulled[1], c.pulled[0]);
    assert.deepEqual(driver.callsOf('pullImage').map((a) => a[1]), [
      { image: `${REGISTRY}/busybox:latest`, image_pull_policy: null },
      { image: `${REGISTRY}/busybox:latest`, image_pull_policy: 'ifnotpresent' },
    ]);
    assert.deepEqual(c.destroyed, []);
  });

  test('a failed pull removes the row and records nothing', async () => {
    const missing = `${REGISTRY}/nope:latest`;
    const driver = FakeContainerDriver.simulated({ defaultRegistry: REGISTRY, missingImages: [missing] });
    const c = conductor();
    await new ImageOperations(driver, c.client, silentLogger()).pull(ctx, row({ repo: `${REGISTRY}/nope` }), null);
    assert.deepEqual(c.pulled, []);
    assert.deepEqual(c.destroyed, [row().uuid]);
  });

  test('a row deleted while its image was pulling is left alone', async () => {
    const c = conductor({ gone: true });
    await new ImageOperations(FakeContainerDriver.simulated({ defaultRegistry: REGISTRY }), c.client, silentLogger()).pull(ctx, row(), null);
    assert.deepEqual(c.destroyed, []);
  });

  test('delete removes repo:tag from the engine, then the row; twice is harmless', async () => {
    const driver = new FakeContainerDriver();
    driver.stub('removeImage', async () => undefined);
    const c = conductor();
    const ops = new ImageOperations(driver, c.client, silentLogger());
    const pulled = row({ image_id: 'sha256:1' });
    await ops.delete(ctx, pulled);
    await ops.delete(ctx, pulled);
    assert.deepEqual(driver.callsOf('removeImage').map((a) => a[1]), [imageRowRef(pulled), imageRowRef(pulled)]);
    assert.deepEqual(c.destroyed, [pulled.uuid, pulled.uuid]);
  });

  test('delete of a row whose pull never finished removes only the row', async () => {
    const driver = new FakeContainerDriver();
    const c = conductor();
    await new ImageOperations(driver, c.client, silentLogger()).delete(ctx, row());
    assert.deepEqual(c.destroyed, [row().uuid]);
  });

  test('an engine that refuses the removal keeps the row', async () => {
    const driver = new FakeContainerDriver();
    driver.stub('removeImage', async () => {
      throw new DockerError('conflict: unable to remove repository reference (must force) - container abc is using its referenced image');
    });
    const c = conductor();
    await new ImageOperations(driver, c.client, silentLogger()).delete(ctx, row({ image_id: 'sha256:1' }));
    assert.deepEqual(c.destroyed, []);
  });
});
