import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Volume } from '@zun-ts/objects';
import { volumeView } from './volume.view';

const V: Volume = {
  id: 4, uuid: '11111111-2222-4333-8444-555555555555', name: 'db-data', project_id: 'p1', user_id: 'u1', size: 5, volume_provider: 'local',
  status: 'in-use', status_reason: null, host: 'cn1', shareable: true, auto_remove: false, fstype: 'ext4', cinder_volume_id: null,
  connection_info: '{"path":"/var/lib/zun/volumes/x"}', created_at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), updated_at: null,
};

describe('volume view', () => {
  test('fields in order, links, attachments as container_uuid + destination, Zun datetimes; internals left out', () => {
    const v = volumeView(V, [{ container_uuid: 'c1', container_path: '/data' }, { container_uuid: 'c2', container_path: '/srv' }], true, 'http://api:9517');
    assert.deepEqual(v, {
      uuid: V.uuid,
      links: [
        { href: `http://api:9517/v1/volumes/${V.uuid}`, rel: 'self' },
        { href: `http://api:9517/volumes/${V.uuid}`, rel: 'bookmark' },
      ],
      name: 'db-data',
      size: 5,
      status: 'in-use',
      status_reason: null,
      shareable: true,
      auto_remove: false,
      volume_provider: 'local',
      project_id: 'p1',
      user_id: 'u1',
      host: 'cn1',
      attachments: [{ container_uuid: 'c1', destination: '/data' }, { container_uuid: 'c2', destination: '/srv' }],
      created_at: '2026-01-02T03:04:05.678000',
      updated_at: null,
    });
  });

  test('host only for callers allowed to see it', () => {
    const v = volumeView(V, [], false, 'http://api:9517');
    assert.ok(!('host' in v));
    assert.deepEqual(v['attachments'], []);
  });
});
