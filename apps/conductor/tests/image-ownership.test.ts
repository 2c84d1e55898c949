// Image rows across a real RPC hop: a ConductorManager on a real SQLite database, served on a real Redis, called by
// compute clients whose transports declare host A or host B.
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, ImageNotFound } from '@zun-ts/common';
import { type Database } from '@zun-ts/db';
import { type Image } from '@zun-ts/objects';
import { type ConductorClient } from '@zun-ts/rpc';
import { requireEnv, uniqueName } from '@zun-ts/testing';
import { type ConductorOnBus, conductorOnBus } from './fixtures/conductor-manager';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');

describe('image ownership: a compute host writes only the image rows of its own host', () => {
  const hostA = uniqueName('cna');
  const hostB = uniqueName('cnb');
  let bus: ConductorOnBus;
  let db: Database;
  let asA: ConductorClient;
  let asB: ConductorClient;
  let ofB: Image;

  before(async () => {
    bus = await conductorOnBus(redisUrl, 'imgown', 'sqlite');
    db = bus.db;
    asA = bus.as(hostA);
    asB = bus.as(hostB);
    ofB = await db.images.create({ uuid: randomUUID(), repo: '127.0.0.1:5050/busybox', tag: 'latest', host: hostB, project_id: 'p', user_id: 'u' });
  });

  after(() => bus?.close());

  test('host A can neither record a pull on nor destroy an image row of host B, which stays as it was', async () => {
    const ctx = adminContext();
    await assert.rejects(
      asA.call('imagePulled', ctx, { image_uuid: ofB.uuid, image_id: 'sha256:hijack', size: '1' }),
      (e: unknown) => e instanceof ImageNotFound && e.message === `Image ${ofB.uuid} could not be found.`,
    );
    await assert.rejects(asA.call('imageDestroy', ctx, { image_uuid: ofB.uuid }), ImageNotFound);
    const row = await db.images.getByUuid(ofB.uuid);
    assert.deepEqual([row.image_id, row.size, row.host], [null, null, hostB]);
  });

  test('host B records its pull (twice, as a redelivery would) and destroys its row (twice)', async () => {
    const ctx = adminContext();
    const args = { image_uuid: ofB.uuid, image_id: 'sha256:0123', size: '4321', repo: ofB.repo, tag: 'latest' };
    const first = await asB.call('imagePulled', ctx, args);
    const again = await asB.call('imagePulled', ctx, args);
    assert.deepEqual([first.image_id, first.size, again.image_id, again.size], ['sha256:0123', '4321', 'sha256:0123', '4321']);
    await asB.call('imageDestroy', ctx, { image_uuid: ofB.uuid });
    await asB.call('imageDestroy', ctx, { image_uuid: ofB.uuid });
    await assert.rejects(db.images.getByUuid(ofB.uuid), ImageNotFound);
  });
});
