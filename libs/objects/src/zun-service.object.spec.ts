import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isServiceUp, type ZunService } from './zun-service.object';

const now = new Date('2024-06-01T12:00:00.000Z');
const ago = (s: number): Date => new Date(now.getTime() - s * 1000);

function svc(patch: Partial<ZunService>): ZunService {
  return {
    id: 1,
    host: 'h',
    binary: 'zun-compute',
    topic: 'compute.h',
    disabled: false,
    disabled_reason: null,
    forced_down: false,
    report_count: 0,
    last_seen_up: null,
    availability_zone: null,
    created_at: ago(10_000),
    updated_at: null,
    ...patch,
  };
}

void describe('isServiceUp', () => {
  void test('a recent heartbeat means up, an old one down; the boundary is inclusive', () => {
    assert.equal(isServiceUp(svc({ last_seen_up: ago(5) }), 180, now), true);
    assert.equal(isServiceUp(svc({ last_seen_up: ago(180) }), 180, now), true);
    assert.equal(isServiceUp(svc({ last_seen_up: ago(181) }), 180, now), false);
  });

  void test('forced_down wins over a fresh heartbeat', () => {
    assert.equal(isServiceUp(svc({ last_seen_up: ago(1), forced_down: true }), 180, now), false);
  });

  void test('falls back to updated_at, then created_at', () => {
    assert.equal(isServiceUp(svc({ updated_at: ago(10) }), 180, now), true);
    assert.equal(isServiceUp(svc({ updated_at: ago(500), created_at: ago(1) }), 180, now), false);
    assert.equal(isServiceUp(svc({ created_at: ago(30) }), 180, now), true);
    assert.equal(isServiceUp(svc({ created_at: ago(300) }), 180, now), false);
  });

  void test('last_seen_up takes precedence over a fresher updated_at', () => {
    assert.equal(isServiceUp(svc({ last_seen_up: ago(400), updated_at: ago(1) }), 180, now), false);
  });

  void test('a clock skewed into the future counts by distance, as Zun does', () => {
    assert.equal(isServiceUp(svc({ last_seen_up: new Date(now.getTime() + 60_000) }), 180, now), true);
    assert.equal(isServiceUp(svc({ last_seen_up: new Date(now.getTime() + 600_000) }), 180, now), false);
  });

  void test('disabled does not make a service down', () => {
    assert.equal(isServiceUp(svc({ last_seen_up: ago(1), disabled: true }), 180, now), true);
  });

  void test('now defaults to the current time', () => {
    assert.equal(isServiceUp(svc({ last_seen_up: new Date() }), 60), true);
  });
});
