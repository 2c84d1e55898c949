import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONTAINER_TYPES } from '@zun-ts/objects';
import { fakeContainer } from '../tests/fixtures/fake-conductor';
import { initRetries, membersOf, memberSpecOf, sandboxMode } from './capsule-builder';

const CAPSULE = '11111111-2222-4333-8444-555555555555';

void describe('capsule builder helpers', () => {
  void test('members of a capsule: init containers first, each kind in the order made; other rows ignored', () => {
    const rows = [
      fakeContainer({ id: 9, uuid: 'c2', capsule_id: 1, container_type: CONTAINER_TYPES.capsuleContainer }),
      fakeContainer({ id: 7, uuid: 'i2', capsule_id: 1, container_type: CONTAINER_TYPES.capsuleInitContainer }),
      fakeContainer({ id: 5, uuid: 'i1', capsule_id: 1, container_type: CONTAINER_TYPES.capsuleInitContainer }),
      fakeContainer({ id: 6, uuid: 'c1', capsule_id: 1, container_type: CONTAINER_TYPES.capsuleContainer }),
      fakeContainer({ id: 8, uuid: 'other', capsule_id: 2, container_type: CONTAINER_TYPES.capsuleContainer }),
      fakeContainer({ id: 1, uuid: 'plain' }),
    ];
    const m = membersOf({ id: 1 }, rows);
    assert.deepEqual(m.inits.map((c) => c.uuid), ['i1', 'i2']);
    assert.deepEqual(m.containers.map((c) => c.uuid), ['c1', 'c2']);
  });

  void test('a member joins the sandbox\'s namespaces, publishes nothing itself, and an init container is never restarted by the engine', () => {
    const member = fakeContainer({ uuid: 'm1', container_type: CONTAINER_TYPES.capsuleContainer, exposed_ports: { '80/tcp': {} }, hostname: 'h',
      restart_policy: { Name: 'always', MaximumRetryCount: '0' } });
    const spec = memberSpecOf(member, CAPSULE, 'reg/busybox:latest', 'cn1', [{ source: '/v', destination: '/data' }]);
    assert.equal(spec.network_mode, sandboxMode(CAPSULE));
    assert.equal(spec.ipc_mode, `container:zun-${CAPSULE}`);
    assert.equal(spec.pid_mode, `container:zun-${CAPSULE}`);
    assert.equal(spec.exposed_ports, null);
    assert.equal(spec.hostname, null);
    assert.deepEqual(spec.restart_policy, { Name: 'always', MaximumRetryCount: '0' });
    assert.deepEqual(spec.binds, [{ source: '/v', destination: '/data' }]);
    const init = memberSpecOf({ ...member, container_type: CONTAINER_TYPES.capsuleInitContainer }, CAPSULE, 'x', 'cn1', []);
    assert.deepEqual(init.restart_policy, { Name: 'no' });
    assert.equal(init.binds, undefined);
  });

  void test('an init container is run again as its restart policy allows (on-failure with a count only)', () => {
    assert.equal(initRetries({ restart_policy: { Name: 'on-failure', MaximumRetryCount: '10' } }), 10);
    assert.equal(initRetries({ restart_policy: { Name: 'on-failure', MaximumRetryCount: '0' } }), 0);
    assert.equal(initRetries({ restart_policy: { Name: 'no', MaximumRetryCount: '0' } }), 0);
    assert.equal(initRetries({ restart_policy: null }), 0);
  });
});
