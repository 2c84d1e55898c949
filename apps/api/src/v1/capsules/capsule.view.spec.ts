import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Container, CONTAINER_TYPES } from '@zun-ts/objects';
import { ApiVersion } from '../../http/api-version';
import { capsuleView } from './capsule.view';

function row(patch: Partial<Container>): Container {
  return {
    id: 1, uuid: '11111111-2222-4333-8444-555555555555', container_type: CONTAINER_TYPES.capsule, name: 'web', project_id: 'p', user_id: 'u',
    image: 'kubernetes/pause:3.0', image_driver: 'docker', image_pull_policy: null, registry_id: null, cpu: 0.5, cpu_policy: 'shared', cpuset: null,
    memory: '96', disk: 0, command: null, entrypoint: null, status: 'Running', status_reason: null, status_detail: null, task_state: null,
    environment: null, workdir: null, ports: null, exposed_ports: null, published_ports: null, hostname: null, labels: { app: 'web' },
    addresses: { n1: [{ addr: '10.0.0.2', version: 4 }] }, host: 'cn1', restart_policy: { Name: 'always', MaximumRetryCount: '0' }, interactive: false,
    tty: false, auto_remove: false, auto_heal: false, privileged: false, runtime: null, healthcheck: null, security_groups: null, container_id: 'x',
    websocket_url: null, websocket_token: null, capsule_id: null, started_at: null, annotations: { a: 'b' }, cni_metadata: null,
    created_at: new Date('2026-12-02T10:00:00Z'), updated_at: null, ...patch,
  } as Container;
}

const capsule = row({});
const init = row({ id: 2, uuid: '21111111-2222-4333-8444-555555555555', container_type: CONTAINER_TYPES.capsuleInitContainer, capsule_id: 1, name: 'capsule-web-pi-1', image: 'busybox' });
const member = row({ id: 3, uuid: '31111111-2222-4333-8444-555555555555', container_type: CONTAINER_TYPES.capsuleContainer, capsule_id: 1, name: 'capsule-web-mu-2', image: 'busybox' });

void describe('capsule view', () => {
  void test('from 1.32: name, labels, the restart policy object, init containers and containers as container views without links', () => {
    const v = capsuleView({ capsule, members: [init, member] }, { version: new ApiVersion(1, 40), hiddenMemberFields: new Set(['host']), showHost: true, hostUrl: 'http://h' });
    assert.equal(v['name'], 'web');
    assert.deepEqual(v['labels'], { app: 'web' });
    assert.deepEqual(v['restart_policy'], { Name: 'always', MaximumRetryCount: '0' });
    assert.equal(v['host'], 'cn1');
    assert.equal(v['memory'], '96');
    assert.deepEqual(v['annotations'], { a: 'b' });
    assert.equal((v['links'] as { href: string }[])[0]?.href, 'http://h/v1/capsules/11111111-2222-4333-8444-555555555555');
    const inits = v['init_containers'] as Record<string, unknown>[];
    const containers = v['containers'] as Record<string, unknown>[];
    assert.deepEqual(inits.map((m) => m['name']), ['capsule-web-pi-1']);
    assert.deepEqual(containers.map((m) => m['name']), ['capsule-web-mu-2']);
    assert.equal('links' in (containers[0] ?? {}), false);
    assert.equal('host' in (containers[0] ?? {}), false, 'member fields the container rules hide stay hidden');
    for (const legacy of ['meta_name', 'meta_labels', 'volumes_info', 'containers_uuids', 'capsule_version']) assert.equal(legacy in v, false, legacy);
  });

  void test('up to 1.31: the legacy shape; host only for callers allowed capsule:get:host', () => {
    const v = capsuleView({ capsule, members: [init, member] }, { version: new ApiVersion(1, 31), hiddenMemberFields: new Set(), showHost: false });
    assert.equal(v['meta_name'], 'web');
    assert.deepEqual(v['meta_labels'], { app: 'web' });
    assert.equal(v['restart_policy'], 'always');
    assert.deepEqual([v['volumes_info'], v['containers_uuids'], v['init_containers_uuids'], v['capsule_version']], [{}, [], [], '']);
    for (const current of ['name', 'labels', 'containers', 'init_containers', 'host', 'links']) assert.equal(current in v, false, current);
  });
});
