import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isCanonicalUuid } from '@zun-ts/common';
import { containerName, uuidFromContainerName } from './container-naming';
import { formatAgo, reconcileStatus } from './container-status';

const never = { status: 'Created' as const, started: false, error: null };

describe('reconcileStatus (Zun sync rule)', () => {
  test('a never-started container moves Creating → Created and otherwise keeps the stored status', () => {
    assert.equal(reconcileStatus('Creating', never), 'Created');
    assert.equal(reconcileStatus('Error', never), 'Error');
    assert.equal(reconcileStatus('Rebuilding', never), 'Rebuilding');
    assert.equal(reconcileStatus('Restarting', never), 'Restarting');
  });

  test('anything the engine actually observed wins', () => {
    assert.equal(reconcileStatus('Running', { status: 'Stopped', started: true, error: null }), 'Stopped');
    assert.equal(reconcileStatus('Created', { status: 'Running', started: true, error: null }), 'Running');
  });
});

describe('formatAgo', () => {
  const now = new Date('2026-01-10T12:00:00Z');
  test('largest non-zero unit, Zun wording', () => {
    assert.equal(formatAgo(new Date('2026-01-07T11:00:00Z'), now), '3 days');
    assert.equal(formatAgo(new Date('2026-01-10T10:30:00Z'), now), '1 hours');
    assert.equal(formatAgo(new Date('2026-01-10T11:55:00Z'), now), '5 mins');
    assert.equal(formatAgo(new Date('2026-01-10T11:59:48Z'), now), '12 seconds');
  });
  test('zero time is empty, under a second is null', () => {
    assert.equal(formatAgo(null, now), '');
    assert.equal(formatAgo(new Date('0001-01-01T00:00:00Z'), now), '');
    assert.equal(formatAgo(new Date(now.getTime() - 200), now), null);
  });
});

describe('container naming', () => {
  const uuid = '0b5b8f3c-7f7e-4d5e-9c3a-1d2e3f4a5b6c';
  test('zun-<uuid> both ways', () => {
    assert.equal(containerName(uuid), `zun-${uuid}`);
    assert.equal(uuidFromContainerName(`/zun-${uuid}`), uuid);
    assert.equal(uuidFromContainerName(`zun-${uuid}`), uuid);
  });
  test('other names are not ours', () => {
    assert.equal(uuidFromContainerName('zun-abc'), null);
    assert.equal(uuidFromContainerName(`/other-${uuid}`), null);
    assert.equal(isCanonicalUuid(uuid.toUpperCase()), true);
    assert.equal(isCanonicalUuid(uuid.replace(/-/g, '')), false);
  });
});
