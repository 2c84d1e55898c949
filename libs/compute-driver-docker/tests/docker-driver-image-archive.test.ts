// Image archives on a real engine: save (the tar `docker save` makes) streamed out, loaded back under a new name
// after the original was removed, tagged, and a broken archive refused.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { InvalidValue } from '@zun-ts/common';
import { ImageNotFound } from '../src/driver-contract';
import { dockerTestEnv, type DockerTestEnv, TEST_LABEL } from './fixtures/docker-env';

let env: DockerTestEnv;
let ref: string;
let imageId: string;

before(async () => {
  env = await dockerTestEnv();
  // an image of this run only (a label makes it unique), so removing it touches nobody else's
  ref = `zt-archive-${env.runId}:v1`;
  const c = await env.docker.createContainer({ Image: env.busybox, Labels: { [TEST_LABEL]: env.runId } });
  const made = (await c.commit({ repo: `zt-archive-${env.runId}`, tag: 'v1', changes: `LABEL ${TEST_LABEL}=${env.runId}` })) as { Id: string };
  await c.remove({ force: true });
  imageId = made.Id;
  env.images.add(ref);
  env.images.add(`zt-archive-${env.runId}/copy:c1`);
});

after(() => env?.cleanup());

test('save streams a docker-save tar; load brings the image back with its name and id; tag adds a name', async () => {
  const chunks: Buffer[] = [];
  for await (const c of await env.driver.saveImage(env.ctx, ref)) chunks.push(c as Buffer);
  const tar = Buffer.concat(chunks);
  assert.ok(tar.length > 10_000, `archive of ${tar.length} bytes`);
  assert.ok(tar.includes(Buffer.from('manifest.json')), 'a docker save archive has a manifest.json');

  await env.docker.getImage(ref).remove({ force: true });
  await assert.rejects(env.driver.imageInspect(env.ctx, ref), ImageNotFound);

  // streamed in small pieces, as a download would deliver it
  const pieces = (function* () {
    for (let i = 0; i < tar.length; i += 8192) yield tar.subarray(i, i + 8192);
  })();
  const loaded = await env.driver.loadImage(env.ctx, Readable.from(pieces));
  assert.deepEqual(loaded, { image_id: imageId, refs: [ref] });

  await env.driver.tagImage(env.ctx, imageId, `zt-archive-${env.runId}/copy`, 'c1');
  assert.equal((await env.driver.imageInspect(env.ctx, `zt-archive-${env.runId}/copy:c1`)).id, imageId);
});

test('a missing image cannot be saved or tagged; a broken archive is refused', async () => {
  await assert.rejects(env.driver.saveImage(env.ctx, `zt-absent-${env.runId}:x`), ImageNotFound);
  await assert.rejects(env.driver.tagImage(env.ctx, `zt-absent-${env.runId}:x`, 'zt-absent', 'y'), ImageNotFound);
  await assert.rejects(env.driver.loadImage(env.ctx, Readable.from([Buffer.from('this is not a tar archive at all')])), InvalidValue);
});
