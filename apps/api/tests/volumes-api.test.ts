// /v1/volumes over a real SQLite database with recording RPC: create, list, show, delete, project isolation,
// and the delete of a volume on a host (a volumeDelete cast to that host's zun-compute).
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VolumeNotFound } from '@zun-ts/common';
import { ADMIN, ALT, ContainerApi, zunError } from './fixtures/container-api.fixture';

const ALL = { projectId: null, allProjects: true };
type View = Record<string, unknown>;

describe('/v1/volumes', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start();
    await api.addComputeHost('cn-vol');
  });
  after(() => api.close());
  beforeEach(() => {
    api.rpc.sent.length = 0;
    api.rpc.castError = null;
  });

  async function create(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<View> {
    const r = await api.request('POST', '/v1/volumes', { body, headers });
    assert.equal(r.status, 202, r.text);
    return r.body as View;
  }

  test('create, show by uuid and by name, list, delete (no host: the row goes)', async () => {
    const v = await create({ name: 'crud', size: 2 });
    const row = await api.db.volumes.getByUuid(ALL, v['uuid'] as string);
    assert.deepEqual([row.size, row.status, row.host, row.project_id, row.auto_remove], [2, 'available', null, 'pdemo', false]);
    for (const ident of ['crud', v['uuid'] as string]) {
      const s = await api.request('GET', `/v1/volumes/${ident}`);
      assert.equal(s.status, 200);
      assert.deepEqual(s.body, v);
    }
    const list = await api.request('GET', '/v1/volumes');
    assert.ok((list.body as { volumes: View[] }).volumes.some((x) => x['uuid'] === v['uuid']));
    const d = await api.request('DELETE', '/v1/volumes/crud');
    assert.equal(d.status, 204);
    await assert.rejects(api.db.volumes.getByUuid(ALL, v['uuid'] as string), VolumeNotFound);
    assert.equal((await api.request('GET', `/v1/volumes/${v['uuid'] as string}`)).status, 404);
    assert.equal(api.rpc.sent.length, 0, 'nothing to ask a host');
  });

  test('projects are isolated: another project\'s volume is 404 on show and delete and absent from its list; admins see all', async () => {
    const v = await create({ name: 'private', size: 1 });
    for (const method of ['GET', 'DELETE']) {
      for (const ident of ['private', v['uuid'] as string]) {
        const r = await api.request(method, `/v1/volumes/${ident}`, { headers: ALT });
        assert.equal(r.status, 404, `${method} ${ident}`);
        assert.equal(zunError(r.body).detail, `Volume ${ident} could not be found.`);
      }
    }
    const altList = await api.request('GET', '/v1/volumes', { headers: ALT });
    assert.ok(!(altList.body as { volumes: View[] }).volumes.some((x) => x['uuid'] === v['uuid']));
    assert.equal((await api.db.volumes.getByUuid(ALL, v['uuid'] as string)).status, 'available', 'still there');
    const adminOwn = await api.request('GET', '/v1/volumes', { headers: ADMIN });
    assert.ok(!(adminOwn.body as { volumes: View[] }).volumes.some((x) => x['uuid'] === v['uuid']), 'lists need all_projects');
    const adminAll = await api.request('GET', '/v1/volumes?all_projects=1', { headers: ADMIN });
    const seen = (adminAll.body as { volumes: View[] }).volumes.find((x) => x['uuid'] === v['uuid']);
    assert.equal(seen?.['host'], null, 'admins see the host field');
    const adminShow = await api.request('GET', '/v1/volumes/private', { headers: ADMIN });
    assert.equal(adminShow.status, 200);
  });

  test('list pages with Zun\'s next link', async () => {
    const who = { 'X-User-Id': 'pg', 'X-Project-Id': 'ppage', 'X-Roles': 'member' };
    const made = [await create({ size: 1 }, who), await create({ size: 1 }, who), await create({ size: 1 }, who)];
    const p1 = await api.request('GET', '/v1/volumes?limit=2', { headers: who });
    const b1 = p1.body as { volumes: View[]; next: string | null };
    assert.deepEqual(b1.volumes.map((x) => x['uuid']), made.slice(0, 2).map((x) => x['uuid']));
    assert.equal(b1.next, `${api.url}/v1/volumes?sort_key=id&sort_dir=asc&limit=2&marker=${made[1]?.['uuid'] as string}`);
    const p2 = await api.request('GET', `/v1/volumes?limit=2&marker=${made[1]?.['uuid'] as string}`, { headers: who });
    const b2 = p2.body as { volumes: View[]; next: string | null };
    assert.deepEqual(b2.volumes.map((x) => x['uuid']), [made[2]?.['uuid']]);
    assert.equal(b2.next, null);
    // Another project's uuid is no marker for this caller.
    const foreign = await api.request('GET', `/v1/volumes?marker=${made[0]?.['uuid'] as string}`);
    assert.equal(foreign.status, 404);
  });

  test('a volume a container mounts cannot be deleted: 409', async () => {
    const v = await create({ name: 'busy', size: 1 });
    const c = await api.request('POST', '/v1/containers', { body: { image: 'busybox', mounts: [{ source: 'busy', destination: '/b' }] } });
    assert.equal(c.status, 202, c.text);
    const d = await api.request('DELETE', '/v1/volumes/busy');
    assert.equal(d.status, 409);
    assert.equal(zunError(d.body).code, 'container.volume-in-use');
    assert.equal(zunError(d.body).detail, `Volume ${v['uuid'] as string} is in use by a container.`);
    assert.equal((await api.db.volumes.getByUuid(ALL, v['uuid'] as string)).status, 'in-use');
  });

  test('a volume on a host: deleting, then volumeDelete cast to that host; a second delete is 409', async () => {
    const v = await create({ name: 'on-host', size: 1 });
    const uuid = v['uuid'] as string;
    await api.db.volumes.bindHost(uuid, 'cn-vol');
    const d = await api.request('DELETE', '/v1/volumes/on-host');
    assert.equal(d.status, 204, d.text);
    assert.equal((await api.db.volumes.getByUuid(ALL, uuid)).status, 'deleting');
    const sent = api.rpc.of('volumeDelete');
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.kind, 'cast');
    assert.equal(sent[0]?.topic, 'compute.cn-vol');
    assert.deepEqual(sent[0]?.args, { volume_uuid: uuid });
    const again = await api.request('DELETE', `/v1/volumes/${uuid}`);
    assert.equal(again.status, 409);
    assert.equal(zunError(again.body).detail, `Cannot delete volume ${uuid} in status deleting.`);
    assert.equal(api.rpc.of('volumeDelete').length, 1);
  });

  test('a volume whose host is down is not touched (500), nor when the cast cannot be queued', async () => {
    const down = await create({ name: 'host-down', size: 1 });
    await api.db.volumes.bindHost(down['uuid'] as string, 'cn-gone');
    const r = await api.request('DELETE', '/v1/volumes/host-down');
    assert.equal(r.status, 500);
    assert.equal(zunError(r.body).code, 'container.');
    assert.equal((await api.db.volumes.getByUuid(ALL, down['uuid'] as string)).status, 'available');

    const stuck = await create({ name: 'cast-fails', size: 1 });
    await api.db.volumes.bindHost(stuck['uuid'] as string, 'cn-vol');
    api.rpc.castError = new Error('redis is down');
    const c = await api.request('DELETE', '/v1/volumes/cast-fails');
    assert.equal(c.status, 500);
    assert.equal((await api.db.volumes.getByUuid(ALL, stuck['uuid'] as string)).status, 'available', 'status put back');
    assert.equal(api.rpc.of('volumeDelete').length, 0);
  });
});
