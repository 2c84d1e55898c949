import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Conflict, ImageNotFound, InvalidValue } from '@zun-ts/common';
import { Database, MarkerNotFound, type NewImage } from '../src';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

function newImage(over: Partial<NewImage> = {}): NewImage {
  return { uuid: randomUUID(), repo: `127.0.0.1:5050/img-${randomUUID().slice(0, 8)}`, tag: 'latest', host: 'host-a', project_id: 'p1', user_id: 'u1', ...over };
}

for (const engine of ENGINES) {
  describeOn(engine, `ImageRepository on ${engine}`, () => {
    let t: TestDb;
    let db: Database;

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url);
      await db.migrate();
    });
    after(async () => {
      await db?.close();
      await t?.drop();
    });

    void test('create stores the row without image_id and size; lookups by uuid in any case', async () => {
      const img = await db.images.create(newImage({ uuid: randomUUID().toUpperCase() }));
      assert.ok(img.id > 0);
      assert.equal(img.uuid, img.uuid.toLowerCase());
      assert.equal(img.image_id, null);
      assert.equal(img.size, null);
      const read = await db.images.getByUuid(img.uuid.toUpperCase());
      assert.equal(read.repo, img.repo);
      assert.equal(read.tag, 'latest');
      assert.equal(read.host, 'host-a');
      assert.equal(read.project_id, 'p1');
      await assert.rejects(db.images.getByUuid(randomUUID()), (e: unknown) => e instanceof ImageNotFound && /could not be found/.test(e.message));
    });

    void test('a second (repo, tag, host) is a Conflict in Zun words; another host or tag is not', async () => {
      const first = await db.images.create(newImage());
      await assert.rejects(db.images.create(newImage({ repo: first.repo })), (e: unknown) => {
        assert.ok(e instanceof Conflict);
        assert.equal(e.message, `An image with tag latest and repo ${first.repo} already exists.`);
        return true;
      });
      await db.images.create(newImage({ repo: first.repo, host: 'host-b' }));
      await db.images.create(newImage({ repo: first.repo, tag: '1.0' }));
      await assert.rejects(db.images.create(newImage({ repo: '' })), InvalidValue);
    });

    void test('update records the pull; a row gone is ImageNotFound; only pull fields may change', async () => {
      const img = await db.images.create(newImage());
      const done = await db.images.update(img.uuid, { image_id: 'sha256:abc', size: '4096', repo: img.repo, tag: 'latest' });
      assert.equal(done.image_id, 'sha256:abc');
      assert.equal(done.size, '4096');
      assert.ok(done.updated_at instanceof Date);
      await assert.rejects(db.images.update(randomUUID(), { size: '1' }), ImageNotFound);
      await assert.rejects(db.images.update(img.uuid, { host: 'x' } as never), InvalidValue);
    });

    void test('destroy removes the row and is quiet the second time', async () => {
      const img = await db.images.create(newImage());
      await db.images.destroy(img.uuid);
      await db.images.destroy(img.uuid);
      await assert.rejects(db.images.getByUuid(img.uuid), ImageNotFound);
    });

    void test('list pages by marker and sorts by a column; an unknown marker or column is refused', async () => {
      const host = `h-${randomUUID().slice(0, 6)}`;
      const made = [];
      for (const r of ['c', 'a', 'b']) made.push(await db.images.create(newImage({ repo: `zz-${host}-${r}`, host })));
      const all = (await db.images.list()).filter((i) => i.host === host);
      assert.deepEqual(all.map((i) => i.uuid), made.map((i) => i.uuid));
      const byRepo = (await db.images.list({ sortKey: 'repo', sortDir: 'desc' })).filter((i) => i.host === host);
      assert.deepEqual(byRepo.map((i) => i.repo.slice(-1)), ['c', 'b', 'a']);
      const first = made[0];
      assert.ok(first);
      const after1 = await db.images.list({ marker: first.uuid, limit: 2 });
      assert.deepEqual(after1.map((i) => i.uuid), made.slice(1).map((i) => i.uuid));
      await assert.rejects(db.images.list({ marker: randomUUID() }), MarkerNotFound);
      await assert.rejects(db.images.list({ sortKey: 'nope' }), InvalidValue);
    });
  });
}
