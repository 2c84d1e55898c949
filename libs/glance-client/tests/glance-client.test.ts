// The Glance client against a real Glance (the stack's, started by tools/glance/glance-ctl when it is not running),
// authenticated by the stack's Keystone: a user's image round trip, visibility between projects, and a service
// login that finds Glance in the catalog.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Conflict, ImageNotFound } from '@zun-ts/common';
import { ensureGlance, openrcEnv, requireEnv, uniqueName } from '@zun-ts/testing';
import { findEndpoint, GlanceClient, KeystonePasswordAuth } from '../src';

function login(user: string): KeystonePasswordAuth {
  const env = openrcEnv(requireEnv('ZUN_TEST_KEYSTONE_STATE', '<repo>/.stack/keystone'), user);
  return new KeystonePasswordAuth({
    authUrl: requireEnv('ZUN_TEST_KEYSTONE_URL', 'http://127.0.0.1:5000/v3'),
    username: env['OS_USERNAME'] ?? user,
    password: env['OS_PASSWORD'] ?? '',
    projectName: env['OS_PROJECT_NAME'] ?? user,
  });
}

/** `count` chunks of 64 KiB, each different (64 bytes of a hash of the seed and the index, repeated). */
function* chunks(seed: Buffer, count: number): Generator<Buffer> {
  for (let i = 0; i < count; i++) {
    const block = createHash('sha512').update(seed).update(String(i)).digest();
    yield Buffer.concat(Array.from({ length: 1024 }, () => block));
  }
}

void describe('GlanceClient on a real Glance', { concurrency: 1 }, () => {
  let demo: GlanceClient;
  let alt: GlanceClient;
  let demoAuth: KeystonePasswordAuth;
  const made: string[] = [];

  before(async () => {
    await ensureGlance();
    demoAuth = login('demo');
    const endpoint = async (): Promise<string> => {
      const url = findEndpoint(await demoAuth.catalog(), 'image', 'public', 'RegionOne');
      assert.ok(url, 'the catalog has no public image endpoint');
      return url;
    };
    demo = new GlanceClient({ endpoint, auth: demoAuth });
    alt = new GlanceClient({ endpoint, auth: login('alt_demo') });
  });

  after(async () => {
    for (const id of made) await demo.deleteImage(id);
  });

  test('create (own id, tags), upload a stream, read it back byte for byte, delete', async () => {
    const id = randomUUID();
    const name = uniqueName('gc');
    made.push(id);
    const created = await demo.createImage({ id, name, tags: ['v1'] });
    assert.deepEqual([created.id, created.name, created.status, created.container_format, created.disk_format, created.tags], [id, name, 'queued', 'docker', 'raw', ['v1']]);

    const seed = randomBytes(64);
    const parts = [...chunks(seed, 48)];
    const md5 = createHash('md5');
    for (const p of parts) md5.update(p);
    await demo.uploadImage(id, Readable.from(parts));

    const shown = await demo.getImage(id);
    assert.deepEqual([shown.status, shown.size, shown.checksum], ['active', parts.reduce((n, p) => n + p.length, 0), md5.digest('hex')]);

    const back = createHash('md5');
    let bytes = 0;
    for await (const chunk of await demo.downloadImage(id)) {
      back.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    assert.equal(bytes, shown.size);
    assert.equal(back.digest('hex'), shown.checksum);

    const byName = await demo.findImagesByName(name);
    assert.deepEqual(byName.map((i) => i.id), [id]);
    assert.ok((await demo.listImages()).some((i) => i.id === id));

    await assert.rejects(demo.uploadImage(id, Readable.from([Buffer.from('again')])), Conflict);
    await demo.deleteImage(id);
    await assert.rejects(demo.getImage(id), ImageNotFound);
    await demo.deleteImage(id); // already gone: not an error
  });

  test('another project sees neither the private image nor its name; the owner shares nothing by default', async () => {
    const name = uniqueName('gc-private');
    const img = await demo.createImage({ name, visibility: 'private' });
    made.push(img.id);
    assert.equal(await alt.findImage(img.id), null);
    assert.deepEqual(await alt.findImagesByName(name), []);
    await assert.rejects(alt.downloadImage(img.id), ImageNotFound);
  });

  test('a queued image has no data to download', async () => {
    const img = await demo.createImage({ name: uniqueName('gc-empty') });
    made.push(img.id);
    await assert.rejects(demo.downloadImage(img.id), ImageNotFound);
  });

  test('a service login (the zun user) gets a catalog with Glance, and its admin token sees every project\'s image', async () => {
    const stack = requireEnv('ZUN_TEST_KEYSTONE_STATE', '<repo>/.stack/keystone');
    const password = readFileSync(join(stack, 'password'), 'utf8').trim();
    const svc = new KeystonePasswordAuth({ authUrl: requireEnv('ZUN_TEST_KEYSTONE_URL', 'http://127.0.0.1:5000/v3'), username: 'zun', password, projectName: 'service' });
    const internal = findEndpoint(await svc.catalog(), 'image', 'internal', null);
    assert.match(internal ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    const glance = new GlanceClient({ endpoint: internal ?? '', auth: svc });
    const img = await demo.createImage({ name: uniqueName('gc-svc'), visibility: 'private' });
    made.push(img.id);
    const seen = await glance.getImage(img.id);
    assert.equal(seen.owner, img.owner);
    assert.equal(await glance.memberStatus(img.id, randomUUID().replace(/-/g, '')), null);
  });

  test('a refused token is replaced by a new login once', async () => {
    const first = await demoAuth.token();
    demoAuth.refused(first);
    const img = await demo.createImage({ name: uniqueName('gc-renew') });
    made.push(img.id);
    assert.notEqual(await demoAuth.token(), first);
  });
});
