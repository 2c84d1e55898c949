import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Network } from '@zun-ts/objects';
import { networkView } from './network.view';

const N: Network = {
  id: 4, uuid: '11111111-2222-4333-8444-555555555555', name: 'front', project_id: 'p1', user_id: 'u1', cidr: '10.1.0.0/24', gateway: '10.1.0.1',
  subnet_id: '66666666-2222-4333-8444-555555555555', shared: true, nat_egress: false, segmentation_id: 17, is_default: false, driver: 'vxlan',
  created_at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), updated_at: null,
};

describe('network view', () => {
  test('fields in order, links, Zun datetimes; segmentation_id when allowed; driver and id never', () => {
    assert.deepEqual(networkView(N, true, 'http://api:9517'), {
      uuid: N.uuid,
      links: [
        { href: `http://api:9517/v1/networks/${N.uuid}`, rel: 'self' },
        { href: `http://api:9517/networks/${N.uuid}`, rel: 'bookmark' },
      ],
      name: 'front',
      cidr: '10.1.0.0/24',
      gateway: '10.1.0.1',
      subnet_id: N.subnet_id,
      shared: true,
      nat_egress: false,
      is_default: false,
      project_id: 'p1',
      user_id: 'u1',
      segmentation_id: 17,
      created_at: '2026-01-02T03:04:05.678000',
      updated_at: null,
    });
  });

  test('segmentation_id only for callers allowed to see it', () => {
    const v = networkView(N, false, 'http://api:9517');
    assert.ok(!('segmentation_id' in v));
    assert.ok(!('driver' in v) && !('id' in v));
  });
});
