import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newestBuild } from './images-sync';

test('a stale latest a host kept from an earlier deploy loses to the newer build on another engine', () => {
  const stale = { host: 'cmp1', id: 'sha256:old', created: '2026-12-01T10:00:00.000Z' };
  const fresh = { host: 'ctl', id: 'sha256:new', created: '2026-12-03T09:00:00.000Z' };
  assert.deepEqual(newestBuild([stale, fresh]), fresh);
  assert.deepEqual(newestBuild([fresh, stale]), fresh);
});

test('the same build on several engines: the first listed (the host itself) is kept', () => {
  const own = { host: 'cmp1', id: 'sha256:a', created: '2026-12-03T09:00:00.000Z' };
  const other = { host: 'ctl', id: 'sha256:a', created: '2026-12-03T09:00:00.000Z' };
  assert.equal(newestBuild([own, other])?.host, 'cmp1');
  assert.equal(newestBuild([]), undefined);
});
