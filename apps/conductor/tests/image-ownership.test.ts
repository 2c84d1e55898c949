// Image rows across a real RPC hop: a ConductorManager on a real SQLite database, served on a real Redis, called by
// compute clients whose transports declare host A or host B.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, ImageNotFound } from '@zun-ts/common';
import { Database } from '@zun-ts/db';
import { type Image } from '@zun-ts/objects';
import { CONDUCTOR, type ConductorClient, rpcClient, RpcServer, RpcTransport } from '@zun-ts/rpc';
import { deleteRedisKeys, requireEnv, uniqueName } from '@zun-ts/testing';
import { conductorManagerOn } from './fixtures/conductor-manager';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');

describe('image ownership: a compute host writes only the image rows of its own host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-image-own-'));
  const prefix = uniqueName('imgown');
  const hostA = uniqueName('cna');
  const hostB = uniqueName('cnb');
  const transports: RpcTransport[] = [];
  let db: Database;
  let asA: ConductorClient;
  let asB: ConductorClient;
  let ofB: Image;

  const connect = (host: string, binary = 'zun-compute'): RpcTransport => {
    const t = RpcTransport.connect({ redisUrl, prefix, callTimeoutMs: 10_000, identity: { host, binary } });
    transports.push(t);
    return t;
  };

  before(async () => {
    db = await Database.open(`sqlite:///${join(dir, 'zun.sqlite')}`);
    await db.migrate();
    const conductor = connect('cond-1', 'zun-conductor');
    const manager = conductorManagerOn(db, conductor);
    await new RpcServer(conductor).serve(CONDUCTOR, manager);
    asA = rpcClient(connect(hostA), CONDUCTOR);
    asB = rpcClient(connect(hostB), CONDUCTOR);
    ofB = await db.images.create({ uuid: randomUUID(), repo: '127.0.0.1:5050/busybox', tag: 'latest', host: hostB, project_id: 'p', user_id: 'u' });
  });

  after(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await db?.close();
    await deleteRedisKeys(redisUrl, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

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
