import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type RequestContext, VolumeInUse, VolumeNotFound, type ZunError } from '@zun-ts/common';
import { type Volume } from '@zun-ts/objects';
import { VolumeNotUsable } from '../volumes/volume.errors';
import { checkBindContents, MAX_BIND_FILE_BYTES, normaliseDestination, planMounts, requestedVolumeGiB } from './container-mounts.mapper';

const CTX: RequestContext = { requestId: 'req-1', userId: 'u1', projectId: 'p1', roles: ['member'], isAdmin: false };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function volume(fields: Partial<Volume>): Volume {
  return {
    id: 1, uuid: '11111111-2222-3333-4444-555555555555', name: 'data', project_id: 'p1', user_id: 'u1', size: 1, volume_provider: 'local',
    status: 'available', status_reason: null, host: null, shareable: false, auto_remove: false, fstype: null, cinder_volume_id: null,
    connection_info: null, created_at: new Date(0), updated_at: null, ...fields,
  };
}

/** The caller's volumes, found by uuid or name; any other name is VolumeNotFound (as the scoped repository answers). */
function deps(volumes: Volume[] = []): { ctx: RequestContext; findVolume(ident: string): Promise<Volume>; asked: string[] } {
  const asked: string[] = [];
  return {
    ctx: CTX,
    asked,
    findVolume: (ident) => {
      asked.push(ident);
      const v = volumes.find((x) => x.uuid === ident || x.name === ident);
      return v ? Promise.resolve(v) : Promise.reject(new VolumeNotFound(`repository words for ${ident}`));
    },
  };
}

/** Asserts the rejection's status, Zun code and exact message. */
async function rejects(mounts: unknown[], status: number, code: string, message: string | RegExp, volumes: Volume[] = []): Promise<void> {
  await assert.rejects(planMounts(mounts, deps(volumes)), (e: ZunError) => {
    assert.equal(e.status, status, e.message);
    assert.equal(e.name, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('mounts: good requests become a plan', () => {
  test('size → a new local volume of the caller, auto-removed, in-use, unnamed; fresh uuids', async () => {
    const plan = await planMounts([{ size: 2, destination: '/data' }, { type: 'volume', size: '10', destination: '/logs/' }], deps());
    assert.equal(plan.mounts.length, 2);
    const [a, b] = plan.mounts;
    assert.ok(a?.kind === 'new' && b?.kind === 'new');
    assert.deepEqual({ ...a.volume, uuid: 'x' }, {
      uuid: 'x', size: 2, project_id: 'p1', user_id: 'u1', name: null, auto_remove: true, shareable: false, volume_provider: 'local', status: 'in-use',
    });
    assert.equal(a.container_path, '/data');
    assert.equal(b.volume.size, 10);
    assert.equal(b.container_path, '/logs', 'normalised');
    for (const u of [a.mapping_uuid, a.volume.uuid, b.mapping_uuid, b.volume.uuid]) assert.match(u, UUID);
    assert.equal(new Set([a.mapping_uuid, a.volume.uuid, b.mapping_uuid, b.volume.uuid]).size, 4);
  });

  test('source → the caller\'s volume by name or uuid, reserved by uuid; a shareable in-use volume may be mounted again', async () => {
    const mine = volume({});
    const shared = volume({ id: 2, uuid: '99999999-2222-3333-4444-555555555555', name: 'shared', status: 'in-use', shareable: true });
    const d = deps([mine, shared]);
    const plan = await planMounts([{ source: 'data', destination: '/a' }, { type: 'volume', source: shared.uuid, destination: '/b', size: 5 }], d);
    assert.deepEqual(plan.mounts.map((m) => (m.kind === 'existing' ? [m.volume_uuid, m.container_path] : m.kind)), [[mine.uuid, '/a'], [shared.uuid, '/b']]);
    assert.deepEqual(d.asked, ['data', shared.uuid]);
  });

  test('bind → an injected file: the base64 text kept as sent', async () => {
    const contents = Buffer.from('nameserver 10.0.0.1\n').toString('base64');
    const plan = await planMounts([{ type: 'bind', source: contents, destination: '/etc/resolv.conf' }, { type: 'bind', source: '', destination: '/etc/empty' }], deps());
    assert.deepEqual(plan.mounts.map((m) => ({ ...m, mapping_uuid: 'x' })), [
      { kind: 'file', mapping_uuid: 'x', container_path: '/etc/resolv.conf', contents },
      { kind: 'file', mapping_uuid: 'x', container_path: '/etc/empty', contents: '' },
    ]);
  });

  test('requestedVolumeGiB: sizes of new volumes only; bad sizes are left to the checks', () => {
    assert.equal(requestedVolumeGiB([{ size: 2, destination: '/a' }, { size: '3', destination: '/b' }, { source: 'v', size: 7, destination: '/c' }, { type: 'bind', source: '', size: 4, destination: '/d' }]), 5);
    assert.equal(requestedVolumeGiB([{ size: 'abc', destination: '/a' }, { size: 0, destination: '/b' }]), 0);
  });
});

describe('mounts: bad requests are 400/404/409 with a clear message', () => {
  test('type other than volume or bind', async () => {
    await rejects([{ type: 'tmpfs', size: 1, destination: '/t' }], 400, 'InvalidValue', "Invalid mount type 'tmpfs' for /t: it must be volume or bind.");
  });

  for (const size of [0, -1, '0', '-1', '1.5', 'abc', '', 1.5, '99999999999999999999']) {
    test(`size ${JSON.stringify(size)} is not a whole number of GiB ≥ 1`, async () => {
      await rejects([{ size, destination: '/data' }], 400, 'InvalidValue', `Invalid size '${String(size)}' for the volume at /data: it must be a whole number of GiB, at least 1.`);
    });
  }

  test('an unknown volume, or another project\'s (the lookup is scoped), is 404 in Zun\'s words', async () => {
    await rejects([{ source: 'nope', destination: '/d' }], 404, 'VolumeNotFound', 'Volume nope could not be found.');
  });

  test('a volume that is deleting or in error is 409', async () => {
    for (const status of ['deleting', 'error'] as const) {
      const v = volume({ status });
      await rejects([{ source: 'data', destination: '/d' }], 409, 'VolumeNotUsable', `Volume ${v.uuid} is in status ${status} and cannot be mounted.`, [v]);
    }
    await assert.rejects(planMounts([{ source: 'data', destination: '/d' }], deps([volume({ status: 'error' })])), VolumeNotUsable);
  });

  test('a non-shareable volume in use is 409 VolumeInUse', async () => {
    const v = volume({ status: 'in-use' });
    await assert.rejects(planMounts([{ source: 'data', destination: '/d' }], deps([v])), (e: Error) => e instanceof VolumeInUse && e.message === `Volume ${v.uuid} is in use by a container.`);
  });

  test('one volume mounted twice is 400', async () => {
    await rejects([{ source: 'data', destination: '/a' }, { source: volume({}).uuid, destination: '/b' }], 400, 'InvalidValue', 'Volume 11111111-2222-3333-4444-555555555555 is mounted twice: a volume can be mounted once per container.', [volume({})]);
  });

  test('bind: strict base64 (standard alphabet, padded), else 400 naming base64', async () => {
    for (const bad of ['aGk', 'aGk=\n', 'a b=', '****', 'aGk==', 'aG-_', '=aGk']) {
      await rejects([{ type: 'bind', source: bad, destination: '/etc/x' }], 400, 'Base64Exception', 'The source of the bind mount at /etc/x is not valid base64: it must be the file\'s content, base64-encoded.');
    }
  });

  test('bind: at most 47 KiB decoded (the base64 text fits a MariaDB TEXT column)', async () => {
    const limit = Buffer.alloc(MAX_BIND_FILE_BYTES, 1).toString('base64');
    assert.doesNotThrow(() => checkBindContents(limit, '/f'));
    const over = Buffer.alloc(MAX_BIND_FILE_BYTES + 1, 1).toString('base64');
    await rejects([{ type: 'bind', source: over, destination: '/f' }], 400, 'InvalidValue', `The file of the bind mount at /f is ${MAX_BIND_FILE_BYTES + 1} bytes: at most 48128 bytes (47 KiB) may be injected.`);
  });

  test('bind without a source (size only) is 400', async () => {
    await rejects([{ type: 'bind', size: 1, destination: '/f' }], 400, 'InvalidValue', "The bind mount at /f needs a source (the file's content, base64-encoded).");
  });

  test('destination: absolute, no "..", not the root; normalised', async () => {
    await rejects([{ size: 1, destination: 'data' }], 400, 'InvalidValue', "Invalid mount destination 'data': it must be an absolute path.");
    await rejects([{ size: 1, destination: '' }], 400, 'InvalidValue', "Invalid mount destination '': it must be an absolute path.");
    await rejects([{ size: 1, destination: '/data/../etc' }], 400, 'InvalidValue', "Invalid mount destination '/data/../etc': '..' is not allowed in it.");
    await rejects([{ size: 1, destination: '/..' }], 400, 'InvalidValue', /'\.\.' is not allowed/);
    for (const root of ['/', '//', '/./', '/.']) await rejects([{ size: 1, destination: root }], 400, 'InvalidValue', `Invalid mount destination '${root}': it must not be the root directory.`);
    await rejects([{ size: 1, destination: `/${'a'.repeat(255)}` }], 400, 'InvalidValue', 'Invalid mount destination: longer than 255 characters.');
    assert.equal(normaliseDestination('//data/./x/'), '/data/x');
    assert.equal(normaliseDestination('/a..b/c'), '/a..b/c', 'only whole ".." segments are refused');
  });

  test('two mounts with the same destination (after normalising) are 400', async () => {
    await rejects([{ size: 1, destination: '/data' }, { type: 'bind', source: '', destination: '/data/' }], 400, 'InvalidValue', 'Duplicate mount destination /data: each mount needs its own destination.');
  });

  test('checks stop at the first bad mount: nothing after it is looked up', async () => {
    const d = deps([volume({})]);
    await assert.rejects(planMounts([{ size: 0, destination: '/a' }, { source: 'data', destination: '/b' }], d));
    assert.deepEqual(d.asked, []);
  });
});
