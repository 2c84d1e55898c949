// Mounts on container create and their release on a delete without a host: the API app over a real database
// (SQLite, and MariaDB for the race) with recording RPC. What is asserted is what the database holds afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VolumeNotFound } from '@zun-ts/common';
import { Database } from '@zun-ts/db';
import { ALT, ContainerApi, zunError } from './fixtures/container-api.fixture';
import { createMariadbDatabase } from './fixtures/tenancy-env';

/** What the python client sends on create, plus the mounts. */
const CREATE = { image: 'busybox', command: [], labels: {}, environment: {}, hints: {}, nets: [], auto_remove: false };
const ALL = { projectId: null, allProjects: true };
type View = Record<string, unknown>;

async function createVolume(api: ContainerApi, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<View> {
  const r = await api.request('POST', '/v1/volumes', { body, headers });
  assert.equal(r.status, 202, r.text);
  return r.body as View;
}

/** Rows of the container and volume tables, to show a refused create wrote nothing. */
async function snapshot(api: ContainerApi): Promise<{ containers: number; volumes: string[] }> {
  const volumes = await api.db.volumes.list(ALL);
  return { containers: (await api.counts()).containers, volumes: volumes.map((v) => `${v.uuid}:${v.status}`).sort() };
}

describe('container create with mounts (SQLite)', () => {
  let api: ContainerApi;
  before(async () => {
    api = await ContainerApi.start();
  });
  after(() => api.close());

  test('a size mount writes an auto-remove volume and its mapping; a bind mount a file mapping; with the container', async () => {
    const contents = Buffer.from('hello\n').toString('base64');
    const r = await api.request('POST', '/v1/containers', {
      body: { ...CREATE, name: 'with-mounts', mounts: [{ size: '2', destination: '/data/' }, { type: 'bind', source: contents, destination: '/etc/hello' }] },
    });
    assert.equal(r.status, 202, r.text);
    const uuid = (r.body as View)['uuid'] as string;
    const mounts = await api.db.volumes.mountsOf(uuid);
    assert.equal(mounts.length, 2);
    const [vol, file] = mounts;
    assert.equal(vol?.mapping.container_path, '/data');
    assert.equal(vol?.mapping.container_uuid, uuid);
    assert.ok(vol?.volume);
    assert.equal(vol.mapping.volume_id, vol.volume.id);
    assert.deepEqual(
      { size: vol.volume.size, status: vol.volume.status, auto_remove: vol.volume.auto_remove, name: vol.volume.name, project: vol.volume.project_id, user: vol.volume.user_id, host: vol.volume.host, provider: vol.volume.volume_provider },
      { size: 2, status: 'in-use', auto_remove: true, name: null, project: 'pdemo', user: 'demo', host: null, provider: 'local' },
    );
    assert.equal(file?.volume, null);
    assert.equal(file?.mapping.volume_id, null);
    assert.equal(file?.mapping.contents, contents);
    assert.equal(file?.mapping.container_path, '/etc/hello');
    assert.equal(api.rpc.of('buildContainer').filter((m) => m.args['container_uuid'] === uuid).length, 1);
    // The new volume counts as disk.
    assert.equal((await api.db.quotas.usage('pdemo')).disk >= 2, true);
  });

  test('a source mount reserves the caller\'s volume (by name); the volume shows where it is mounted', async () => {
    const v = await createVolume(api, { name: 'mine', size: 1 });
    const r = await api.request('POST', '/v1/containers', { body: { ...CREATE, mounts: [{ source: 'mine', destination: '/m' }] } });
    assert.equal(r.status, 202, r.text);
    const uuid = (r.body as View)['uuid'] as string;
    const row = await api.db.volumes.getByUuid(ALL, v['uuid'] as string);
    assert.equal(row.status, 'in-use');
    const shown = await api.request('GET', '/v1/volumes/mine');
    assert.deepEqual((shown.body as View)['attachments'], [{ container_uuid: uuid, destination: '/m' }]);
    // A second container cannot have it (not shareable): 409, nothing written.
    const before = await snapshot(api);
    const again = await api.request('POST', '/v1/containers', { body: { ...CREATE, mounts: [{ source: v['uuid'], destination: '/m' }] } });
    assert.equal(again.status, 409);
    assert.equal(zunError(again.body).code, 'container.volume-in-use');
    assert.deepEqual(await snapshot(api), before);
  });

  test('another project\'s volume is 404 exactly like an unknown one, and nothing is written', async () => {
    const theirs = await createVolume(api, { name: 'alts', size: 1 }, ALT);
    const before = await snapshot(api);
    for (const source of ['alts', theirs['uuid'] as string, 'no-such-volume']) {
      const r = await api.request('POST', '/v1/containers', { body: { ...CREATE, mounts: [{ source, destination: '/d' }] } });
      assert.equal(r.status, 404, source);
      const e = zunError(r.body);
      assert.equal(e.code, 'container.volume-not-found');
      assert.equal(e.detail, `Volume ${source} could not be found.`);
    }
    assert.deepEqual(await snapshot(api), before);
    assert.equal((await api.db.volumes.getByUuid(ALL, theirs['uuid'] as string)).status, 'available');
  });

  test('over the disk quota with a new volume: 403 in Zun\'s words, nothing written', async () => {
    const who = { 'X-User-Id': 'q', 'X-Project-Id': 'pquota', 'X-Roles': 'member' };
    await api.db.quotas.setProjectLimits('pquota', { disk: 5 });
    await createVolume(api, { size: 2 }, who);
    const before = await snapshot(api);
    const r = await api.request('POST', '/v1/containers', { body: { ...CREATE, disk: 1, mounts: [{ size: 3, destination: '/d' }] }, headers: who });
    assert.equal(r.status, 403, r.text);
    assert.equal(zunError(r.body).code, 'container.over-quota');
    assert.equal(zunError(r.body).detail, "Quota exceeded for resources: ['disk']");
    const vol = await api.request('POST', '/v1/volumes', { body: { size: 4 }, headers: who });
    assert.equal(vol.status, 403);
    assert.equal(zunError(vol.body).detail, "Quota exceeded for resources: ['disk']");
    assert.deepEqual(await snapshot(api), before);
    // Exactly at the limit is allowed.
    const fits = await api.request('POST', '/v1/containers', { body: { ...CREATE, mounts: [{ size: 3, destination: '/d' }] }, headers: who });
    assert.equal(fits.status, 202, fits.text);
  });

  test('bad mounts are 400 with a clear message and write nothing; below 1.11 mounts get Zun\'s version answer', async () => {
    const before = await snapshot(api);
    const cases: [unknown[], string, string][] = [
      [[{ type: 'bind', source: 'not base64!', destination: '/etc/x' }], 'container.base64-exception', "The source of the bind mount at /etc/x is not valid base64: it must be the file's content, base64-encoded."],
      [[{ size: 0, destination: '/d' }], 'container.invalid-value', "Invalid size '0' for the volume at /d: it must be a whole number of GiB, at least 1."],
      [[{ size: '1.5', destination: '/d' }], 'container.invalid-value', "Invalid size '1.5' for the volume at /d: it must be a whole number of GiB, at least 1."],
      [[{ type: 'nfs', size: 1, destination: '/d' }], 'container.invalid-value', "Invalid mount type 'nfs' for /d: it must be volume or bind."],
      [[{ size: 1, destination: 'rel' }], 'container.invalid-value', "Invalid mount destination 'rel': it must be an absolute path."],
      [[{ size: 1, destination: '/' }], 'container.invalid-value', "Invalid mount destination '/': it must not be the root directory."],
      [[{ size: 1, destination: '/a/../b' }], 'container.invalid-value', "Invalid mount destination '/a/../b': '..' is not allowed in it."],
      [[{ size: 1, destination: '/d' }, { size: 1, destination: '/d' }], 'container.invalid-value', 'Duplicate mount destination /d: each mount needs its own destination.'],
      [[{ source: 'x' }], 'container.schema-validation-error', "Invalid input for field '0'.Value: '{'source': 'x'}'. {'source': 'x'} is not valid under any of the given schemas"],
    ];
    for (const [mounts, code, detail] of cases) {
      const r = await api.request('POST', '/v1/containers', { body: { ...CREATE, mounts } });
      assert.equal(r.status, 400, JSON.stringify(mounts));
      assert.equal(zunError(r.body).code, code, JSON.stringify(mounts));
      assert.equal(zunError(r.body).detail, detail);
    }
    // Before 1.20 the command is a string, so the client sends none here.
    const { command: _command, ...legacy } = CREATE;
    const old = await api.request('POST', '/v1/containers', { body: { ...legacy, mounts: [{ size: 1, destination: '/d' }] }, version: '1.10' });
    assert.equal(old.status, 400);
    assert.equal(zunError(old.body).code, 'container.invalid-param-in-version');
    assert.equal(zunError(old.body).detail, 'Invalid param mounts because current request version is 1.10. mounts is only supported from version 1.11');
    const empty = await api.request('POST', '/v1/containers', { body: { ...legacy, mounts: [] }, version: '1.10' });
    assert.equal(empty.status, 202, 'an empty list is fine at any version');
    const { containers } = await snapshot(api);
    assert.equal(containers, before.containers + 1);
    assert.deepEqual((await snapshot(api)).volumes, before.volumes);
  });

  test('a container deleted before it reached a host releases its mounts: its own volume goes, a named one is available again', async () => {
    const kept = await createVolume(api, { name: 'kept', size: 1 });
    const r = await api.request('POST', '/v1/containers', { body: { ...CREATE, mounts: [{ size: 1, destination: '/tmp-vol' }, { source: 'kept', destination: '/kept' }] } });
    assert.equal(r.status, 202, r.text);
    const uuid = (r.body as View)['uuid'] as string;
    const made = (await api.db.volumes.mountsOf(uuid)).flatMap((m) => (m.volume && m.volume.auto_remove ? [m.volume.uuid] : []));
    assert.equal(made.length, 1);
    // As after "There are not enough hosts available.": in Error, never placed.
    await api.db.containers.update(uuid, { status: 'Error', status_reason: 'There are not enough hosts available.' });
    const d = await api.request('DELETE', `/v1/containers/${uuid}`);
    assert.equal(d.status, 204, d.text);
    await assert.rejects(api.db.containers.getByUuid(ALL, uuid));
    await assert.rejects(api.db.volumes.getByUuid(ALL, made[0] as string), VolumeNotFound);
    const back = await api.db.volumes.getByUuid(ALL, kept['uuid'] as string);
    assert.equal(back.status, 'available');
    assert.deepEqual(await api.db.volumes.mountsOf(uuid), []);
    assert.deepEqual((await api.db.volumes.attachmentsOf([back.id])).get(back.id) ?? [], []);
    // And it can be mounted again.
    const again = await api.request('POST', '/v1/containers', { body: { ...CREATE, mounts: [{ source: 'kept', destination: '/kept' }] } });
    assert.equal(again.status, 202, again.text);
  });
});

/** Two creates racing for one non-shareable volume: exactly one gets it, the other is 409 and writes nothing. */
async function race(api: ContainerApi): Promise<void> {
  const v = await createVolume(api, { name: 'contested', size: 1 });
  const before = (await api.counts()).containers;
  const replies = await Promise.all(
    [1, 2, 3, 4].map((i) => api.request('POST', '/v1/containers', { body: { ...CREATE, name: `racer-${i}`, mounts: [{ source: 'contested', destination: '/c' }] } })),
  );
  const statuses = replies.map((r) => r.status).sort();
  assert.deepEqual(statuses, [202, 409, 409, 409], replies.map((r) => r.text).join('\n'));
  for (const r of replies.filter((x) => x.status === 409)) assert.equal(zunError(r.body).code, 'container.volume-in-use');
  assert.equal((await api.counts()).containers, before + 1);
  const winner = (replies.find((r) => r.status === 202)?.body as View)['uuid'];
  const row = await api.db.volumes.getByUuid(ALL, v['uuid'] as string);
  assert.deepEqual((await api.db.volumes.attachmentsOf([row.id])).get(row.id)?.map((a) => a.container_uuid), [winner]);
}

describe('racing creates for one volume', () => {
  test('SQLite: one 202, the others 409', async () => {
    const api = await ContainerApi.start();
    try {
      await race(api);
    } finally {
      await api.close();
    }
  });

  test('MariaDB: one 202, the others 409', async () => {
    const maria = await createMariadbDatabase();
    const db = await Database.open(maria.url, { poolSize: 10 });
    try {
      await db.migrate();
      const api = await ContainerApi.start({ db });
      try {
        await race(api);
      } finally {
        await api.close();
      }
    } finally {
      await db.close();
      await maria.drop();
    }
  });
});

describe('injected file sizes on MariaDB', () => {
  test('the largest injected file is stored; one byte more is a 400, never a 500 (regression: a 60 000-byte file overflowed the TEXT column)', async () => {
    const maria = await createMariadbDatabase();
    const db = await Database.open(maria.url, { poolSize: 4 });
    try {
      await db.migrate();
      const api = await ContainerApi.start({ db });
      try {
        const largest = Buffer.alloc(47 * 1024, 7).toString('base64');
        const ok = await api.request('POST', '/v1/containers', { body: { ...CREATE, name: 'big-file', mounts: [{ type: 'bind', source: largest, destination: '/etc/big' }] } });
        assert.equal(ok.status, 202, ok.text);
        const [mount] = await db.volumes.mountsOf((ok.body as View)['uuid'] as string);
        assert.equal(mount?.mapping.contents, largest);
        const over = Buffer.alloc(47 * 1024 + 1, 7).toString('base64');
        const before = await snapshot(api);
        const refused = await api.request('POST', '/v1/containers', { body: { ...CREATE, name: 'too-big', mounts: [{ type: 'bind', source: over, destination: '/etc/big' }] } });
        assert.equal(refused.status, 400, refused.text);
        assert.deepEqual(await snapshot(api), before);
      } finally {
        await api.close();
      }
    } finally {
      await db.close();
      await maria.drop();
    }
  });
});
