import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { ImageNotFound, NotAuthorized, silentLogger } from '@zun-ts/common';
import { type ImagePatch } from '@zun-ts/db';
import { type Image } from '@zun-ts/objects';
import { type RpcCaller } from '@zun-ts/rpc';
import { ImageRecords, type ImageRecordsRepository } from './image-records';

const CN1: RpcCaller = { host: 'cn1', binary: 'zun-compute' };
const CN2: RpcCaller = { host: 'cn2', binary: 'zun-compute' };

class FakeImages implements ImageRecordsRepository {
  readonly rows = new Map<string, Image>();
  add(uuid: string, host: string): void {
    this.rows.set(uuid, { id: this.rows.size + 1, uuid, host, repo: 'r', tag: 'latest', image_id: null, size: null, project_id: 'p', user_id: 'u', created_at: new Date(0), updated_at: null });
  }
  async getByUuid(uuid: string): Promise<Image> {
    const row = this.rows.get(uuid);
    if (!row) throw new ImageNotFound(`Image ${uuid} could not be found.`);
    return row;
  }
  async update(uuid: string, patch: ImagePatch): Promise<Image> {
    const row = await this.getByUuid(uuid);
    const next = { ...row, ...patch };
    this.rows.set(uuid, next);
    return next;
  }
  async destroy(uuid: string): Promise<void> {
    this.rows.delete(uuid);
  }
}

describe('ImageRecords', () => {
  let repo: FakeImages;
  let records: ImageRecords;
  beforeEach(() => {
    repo = new FakeImages();
    repo.add('i1', 'cn1');
    records = new ImageRecords(repo, silentLogger());
  });

  test('pulled records image_id, size and the engine name on a row of the caller; twice gives the same row', async () => {
    const args = { image_uuid: 'i1', image_id: 'sha256:abc', size: '1024', repo: 'reg/x', tag: '1.0' };
    const first = await records.pulled(args, CN1);
    const second = await records.pulled(args, CN1);
    assert.deepEqual([first.image_id, first.size, first.repo, first.tag], ['sha256:abc', '1024', 'reg/x', '1.0']);
    assert.deepEqual(second, first);
  });

  test('pulled without repo and tag keeps the row\'s names', async () => {
    const row = await records.pulled({ image_uuid: 'i1', image_id: 'sha256:abc', size: '1' }, CN1);
    assert.deepEqual([row.repo, row.tag], ['r', 'latest']);
  });

  test('a row of another host is ImageNotFound for pulled and for destroy, and stays', async () => {
    await assert.rejects(records.pulled({ image_uuid: 'i1', image_id: 'x', size: '1' }, CN2), (e: unknown) => e instanceof ImageNotFound && e.message === 'Image i1 could not be found.');
    await assert.rejects(records.destroy({ image_uuid: 'i1' }, CN2), ImageNotFound);
    assert.equal(repo.rows.get('i1')?.image_id, null);
  });

  test('destroy removes a row of the caller; a second destroy is success', async () => {
    await records.destroy({ image_uuid: 'i1' }, CN1);
    await records.destroy({ image_uuid: 'i1' }, CN1);
    assert.equal(repo.rows.size, 0);
  });

  test('only compute hosts may call', async () => {
    await assert.rejects(records.destroy({ image_uuid: 'i1' }, { host: 'cn1', binary: 'zun-api' }), NotAuthorized);
    assert.equal(repo.rows.size, 1);
  });
});
