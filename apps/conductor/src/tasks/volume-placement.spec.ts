import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ContainerMount } from '@zun-ts/db';
import { type Volume, type VolumeMapping } from '@zun-ts/objects';
import { noHostReason, volumeHostsOf } from './volume-placement';

const mount = (host: string | null, file = false): ContainerMount => ({
  mapping: {} as VolumeMapping,
  volume: file ? null : ({ host } as Volume),
});

test('volumeHostsOf: each made volume\'s host once, in mount order; files and unmade volumes add none', () => {
  assert.deepEqual(volumeHostsOf([mount('b'), mount(null), mount(null, true), mount('a'), mount('b')]), ['b', 'a']);
  assert.deepEqual(volumeHostsOf([mount(null), mount(null, true)]), []);
});

test('noHostReason keeps the base reason and adds the volumes\' hosts when there are any', () => {
  assert.equal(noHostReason('Host h1 went down.', []), 'Host h1 went down.');
  assert.equal(noHostReason('Host h1 went down.', ['h1']), 'Host h1 went down. The container\'s volumes are on host h1, which cannot take it.');
  assert.match(noHostReason('X.', ['a', 'b']), /^X\. The container's volumes are on different hosts \(a, b\)/);
});
