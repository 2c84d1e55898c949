import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deserializeError, serializeError } from '@zun-ts/common';
import { type Container } from './container.object';
import {
  fromEnvelope,
  IncompatibleObjectVersion,
  InvalidObjectData,
  type ObjectEnvelope,
  toEnvelope,
  UnsupportedObjectError,
  ZUN_OBJECTS,
} from './envelope';
import { type ZunService } from './zun-service.object';

const created = new Date('2024-05-18T21:02:12.345Z');

function sampleService(): ZunService {
  return {
    id: 7,
    host: 'node-1',
    binary: 'zun-compute',
    topic: 'compute.node-1',
    disabled: false,
    disabled_reason: null,
    forced_down: false,
    report_count: 3,
    last_seen_up: new Date('2024-05-18T21:05:00.000Z'),
    availability_zone: 'nova',
    created_at: created,
    updated_at: null,
  };
}

function sampleContainer(): Container {
  return {
    id: 1,
    uuid: '3f1b1a2e-2f0c-4a59-9f53-0d9e4b1c2a11',
    container_type: 0,
    name: 'zeta-7-container',
    project_id: 'p1',
    user_id: 'u1',
    image: 'busybox',
    image_driver: 'docker',
    image_pull_policy: null,
    registry_id: null,
    cpu: 0.5,
    cpu_policy: 'shared',
    cpuset: null,
    memory: '512',
    disk: 0,
    command: ['sleep', '3600'],
    entrypoint: null,
    status: 'Running',
    status_reason: null,
    status_detail: 'Up 3 mins',
    task_state: null,
    environment: { A: 'b' },
    workdir: null,
    ports: [80],
    exposed_ports: { '80/tcp': {} },
    published_ports: null,
    hostname: 'c1',
    labels: {},
    addresses: { net1: [{ addr: '172.24.4.3', version: 4, port: 'p', subnet_id: 's', preserve_on_delete: false }] },
    host: 'node-1',
    restart_policy: { Name: 'on-failure', MaximumRetryCount: '3' },
    interactive: true,
    tty: true,
    auto_remove: false,
    auto_heal: false,
    privileged: false,
    runtime: 'runc',
    healthcheck: { test: 'true', interval: 10, retries: 3, timeout: 5 },
    security_groups: null,
    container_id: 'a'.repeat(64),
    websocket_url: null,
    websocket_token: null,
    capsule_id: null,
    started_at: created,
    annotations: null,
    cni_metadata: null,
    created_at: created,
    updated_at: new Date('2024-05-18T21:03:00.001Z'),
  };
}

function reversion(env: ObjectEnvelope, version: string): ObjectEnvelope {
  return { ...env, 'zun_object.version': version };
}

void describe('object envelope', () => {
  void test('round-trips a service through JSON with dates restored', () => {
    const env = toEnvelope('ZunService', sampleService());
    assert.equal(env['zun_object.name'], 'ZunService');
    assert.equal(env['zun_object.version'], ZUN_OBJECTS.ZunService.VERSION);
    assert.equal(env['zun_object.data'].created_at, '2024-05-18T21:02:12.345Z');
    const back = fromEnvelope(JSON.parse(JSON.stringify(env)), 'ZunService');
    assert.deepEqual(back, sampleService());
    assert.ok(back.created_at instanceof Date);
  });

  void test('round-trips a container with nested JSON fields', () => {
    const back = fromEnvelope(JSON.parse(JSON.stringify(toEnvelope('Container', sampleContainer()))), 'Container');
    assert.deepEqual(back, sampleContainer());
  });

  void test('the untyped form reports the name', () => {
    const got = fromEnvelope(toEnvelope('ZunService', sampleService()));
    assert.equal(got.name, 'ZunService');
    if (got.name === 'ZunService') assert.equal(got.object.host, 'node-1');
  });

  void test('toEnvelope leaves out undeclared properties and refuses missing ones', () => {
    const extra = { ...sampleService(), state: 'up' } as ZunService;
    assert.equal('state' in toEnvelope('ZunService', extra)['zun_object.data'], false);
    const { topic: _t, ...missing } = sampleService();
    assert.throws(() => toEnvelope('ZunService', missing as ZunService), InvalidObjectData);
  });

  void test('a newer minor version is read with its unknown fields dropped', () => {
    const env = reversion(toEnvelope('ZunService', sampleService()), '1.7');
    env['zun_object.data'].shiny_new_field = 'x';
    const back = fromEnvelope(env, 'ZunService');
    assert.equal('shiny_new_field' in back, false);
    assert.deepEqual(back, sampleService());
  });

  void test('an older minor version is read, missing fields take their default or null', () => {
    const env = toEnvelope('Container', sampleContainer());
    const data = env['zun_object.data'];
    delete data.auto_heal; // default false
    delete data.entrypoint; // nullable
    const back = fromEnvelope(reversion(env, '1.0'), 'Container');
    assert.equal(back.auto_heal, false);
    assert.equal(back.entrypoint, null);
  });

  void test('a missing field without default that is not nullable is refused', () => {
    const env = toEnvelope('Container', sampleContainer());
    delete env['zun_object.data'].uuid;
    assert.throws(() => fromEnvelope(env, 'Container'), InvalidObjectData);
  });

  void test('another major version is refused with a typed error', () => {
    const env = reversion(toEnvelope('ZunService', sampleService()), '2.0');
    assert.throws(() => fromEnvelope(env, 'ZunService'), (e: unknown) => {
      assert.ok(e instanceof IncompatibleObjectVersion);
      assert.match(e.message, /Version 2\.0 of ZunService is not supported/);
      return true;
    });
    assert.throws(() => fromEnvelope(reversion(env, '0.9')), IncompatibleObjectVersion);
  });

  void test('the typed errors survive RPC serialization by name', () => {
    const e = deserializeError(serializeError(new IncompatibleObjectVersion('x')));
    assert.ok(e instanceof IncompatibleObjectVersion);
  });

  void test('unknown object names are refused', () => {
    const env = { ...toEnvelope('ZunService', sampleService()), 'zun_object.name': 'Bay' };
    assert.throws(() => fromEnvelope(env), UnsupportedObjectError);
    assert.throws(() => fromEnvelope({ 'zun_object.name': 'toString', 'zun_object.version': '1.0', 'zun_object.data': {} }), UnsupportedObjectError);
  });

  void test('bad shapes and field types are refused', () => {
    assert.throws(() => fromEnvelope(null), InvalidObjectData);
    assert.throws(() => fromEnvelope([]), InvalidObjectData);
    const good = toEnvelope('ZunService', sampleService());
    assert.throws(() => fromEnvelope(reversion(good, '1')), InvalidObjectData);
    assert.throws(() => fromEnvelope({ ...good, 'zun_object.data': 'x' }), InvalidObjectData);
    const cases: [string, unknown][] = [
      ['id', '7'],
      ['id', 1.5],
      ['report_count', null],
      ['disabled', 'false'],
      ['host', 3],
      ['created_at', '2024-05-18 21:02:12'],
      ['created_at', 12],
    ];
    for (const [key, value] of cases) {
      const env = toEnvelope('ZunService', sampleService());
      env['zun_object.data'][key] = value as never;
      assert.throws(() => fromEnvelope(env, 'ZunService'), InvalidObjectData, `${key}=${JSON.stringify(value)}`);
    }
  });

  void test('enum fields only accept their values', () => {
    const env = toEnvelope('Container', sampleContainer());
    env['zun_object.data'].status = 'running';
    assert.throws(() => fromEnvelope(env, 'Container'), /Container\.status: unknown value "running"/);
    const c = { ...sampleContainer(), task_state: 'container_dancing' } as unknown as Container;
    assert.throws(() => toEnvelope('Container', c), InvalidObjectData);
  });

  void test('dict and list fields are checked and copied', () => {
    const env = toEnvelope('Container', sampleContainer());
    env['zun_object.data'].labels = ['a'];
    assert.throws(() => fromEnvelope(env, 'Container'), /Container\.labels: expected an object/);
    const env2 = toEnvelope('Container', sampleContainer());
    env2['zun_object.data'].ports = { a: 1 };
    assert.throws(() => fromEnvelope(env2, 'Container'), /expected an array/);
    const c = sampleContainer();
    const out = toEnvelope('Container', c);
    c.environment!.A = 'changed';
    assert.deepEqual(out['zun_object.data'].environment, { A: 'b' });
  });

  void test('a typed read of another object type is refused', () => {
    assert.throws(() => fromEnvelope(toEnvelope('ZunService', sampleService()), 'Container'), /expected a Container object, got ZunService/);
  });
});
