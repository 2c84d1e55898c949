import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SchemaValidationError } from '@zun-ts/common';
import { FailedParseStringToJson, InvalidCapsuleTemplate, planCapsule, readTemplate } from './capsule-template';

const UUID = '0b3c2f52-1f7c-4a53-9a3a-4d2f3f0e5c11';

function tpl(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'capsule', metadata: { name: 'web', labels: { app: 'web' } }, spec, ...extra };
}

function counter(): (taken: ReadonlySet<string>) => string {
  let n = 0;
  return () => `alpha-${++n}`;
}

function plan(t: Record<string, unknown>, mayChoosePullPolicy = false): ReturnType<typeof planCapsule> {
  return planCapsule(readTemplate({ template: t }), { uuid: UUID, mayChoosePullPolicy, pickName: counter() });
}

describe('capsule template', () => {
  test('a two-container capsule: sums, names, args after command, ports, env, restart policy', () => {
    const p = plan(
      tpl({
        restartPolicy: 'OnFailure',
        containers: [
          { name: 'web', image: 'nginx', command: ['httpd'], args: ['-f', '-p', '80'], ports: [{ containerPort: 80, protocol: 'TCP' }],
            resources: { requests: { cpu: 0.5, memory: 128 } }, env: { A: 'b' }, workDir: '/w', stdin: true, tty: 'true' },
          { name: 'side', image: 'busybox', args: ['sleep', '1d'], resources: { requests: { cpu: '0.25', memory: '64' } } },
        ],
      }),
    );
    assert.equal(p.name, 'web');
    assert.deepEqual(p.labels, { app: 'web' });
    assert.equal(p.cpu, 0.75);
    assert.equal(p.memory, 192);
    assert.deepEqual(p.restart_policy, { Name: 'on-failure', MaximumRetryCount: '0' });
    assert.deepEqual(p.members.map((m) => m.name), ['capsule-web-alpha-1', 'capsule-web-alpha-2']);
    const [web, side] = p.members;
    assert.deepEqual(web!.command, ['httpd', '-f', '-p', '80']);
    assert.deepEqual(web!.exposed_ports, { '80/tcp': {} });
    assert.deepEqual(web!.environment, { A: 'b' });
    assert.equal(web!.workdir, '/w');
    assert.equal(web!.interactive, true);
    assert.equal(web!.tty, true);
    assert.equal(web!.memory, '128');
    assert.deepEqual(side!.command, ['sleep', '1d']);
    assert.equal(side!.cpu, 0.25);
  });

  test('init containers come first, count as a maximum, and restart on failure under Always', () => {
    const p = plan(tpl({
      initContainers: [{ image: 'busybox', resources: { requests: { cpu: 2, memory: 1024 } } }],
      containers: [{ image: 'busybox', resources: { requests: { cpu: 1, memory: 256 } } }],
    }));
    assert.deepEqual(p.members.map((m) => m.init), [true, false]);
    assert.equal(p.cpu, 2);
    assert.equal(p.memory, 1024);
    assert.deepEqual(p.restart_policy, { Name: 'always', MaximumRetryCount: '0' });
    assert.deepEqual(p.members[0]!.restart_policy, { Name: 'on-failure', MaximumRetryCount: '10' });
    assert.equal(p.members[1]!.command, null);
  });

  test('a capsule without a name names its members after its uuid; the deprecated top-level restartPolicy still counts', () => {
    const p = plan({ kind: 'Capsule', metadata: {}, restartPolicy: 'Never', spec: { containers: [{ image: 'busybox' }] } });
    assert.equal(p.name, null);
    assert.equal(p.members[0]!.name, `capsule-${UUID}-alpha-1`);
    assert.deepEqual(p.restart_policy, { Name: 'no', MaximumRetryCount: '0' });
  });

  test('imagePullPolicy is kept only for callers the policy allows', () => {
    const t = tpl({ containers: [{ image: 'busybox', imagePullPolicy: 'IfNotPresent' }] });
    assert.equal(plan(t, false).members[0]!.image_pull_policy, null);
    assert.equal(plan(t, true).members[0]!.image_pull_policy, 'ifnotpresent');
  });

  test('volumes: made with a size (removed with the capsule) or named by id (never removed)', () => {
    const id = '7d5a0f2e-54a4-4b0f-8f6e-2b7f0b8f1f00';
    const p = plan(tpl({
      volumes: [{ name: 'data', cinder: { size: 1 } }, { name: 'kept', cinder: { volumeID: id, autoRemove: true } }],
      containers: [{ image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'kept', mountPath: '/k', readOnly: true }] }],
    }));
    assert.deepEqual(p.volumes, [
      { name: 'data', size: 1, volume_id: null, auto_remove: true },
      { name: 'kept', size: null, volume_id: id, auto_remove: false },
    ]);
    assert.deepEqual(p.members[0]!.mounts, [
      { volume: 'data', mount_path: '/data', read_only: false },
      { volume: 'kept', mount_path: '/k', read_only: true },
    ]);
  });

  test('a template given as a JSON string is parsed and checked the same way', () => {
    const p = plan(JSON.stringify(tpl({ containers: [{ image: 'busybox' }] })) as unknown as Record<string, unknown>);
    assert.equal(p.members.length, 1);
    assert.throws(() => readTemplate({ template: '{not json' }), FailedParseStringToJson);
    assert.throws(() => readTemplate({ template: JSON.stringify({ kind: 'capsule', metadata: {} }) }), SchemaValidationError);
  });

  const bad: [string, unknown, RegExp, new (m: string) => Error][] = [
    ['missing kind', { metadata: {}, spec: { containers: [{ image: 'busybox' }] } }, /'kind' is a required property/, SchemaValidationError],
    ['wrong kind', { kind: 'pod', metadata: {}, spec: { containers: [{ image: 'busybox' }] } }, /'pod' is not one of/, SchemaValidationError],
    ['bad restartPolicy', tpl({ restartPolicy: 'Sometimes', containers: [{ image: 'busybox' }] }), /'Sometimes' is not one of/, SchemaValidationError],
    ['no containers', tpl({ containers: [] }), /^Invalid capsule template: Capsule need to have one container at least\.$/, InvalidCapsuleTemplate],
    ['containers missing', tpl({}), /'containers' is a required property/, SchemaValidationError],
    ['container without image', tpl({ containers: [{ name: 'x1' }] }), /'image' is a required property/, SchemaValidationError],
    ['duplicate names', tpl({ containers: [{ name: 'same', image: 'busybox' }, { name: 'same', image: 'busybox' }] }),
      /^Invalid capsule template: Container name same is used more than once\.$/, InvalidCapsuleTemplate],
    ['bad resources', tpl({ containers: [{ image: 'busybox', resources: { requests: { cpu: 99 } } }] }), /99/, SchemaValidationError],
    ['bad memory', tpl({ containers: [{ image: 'busybox', resources: { requests: { memory: '1G' } } }] }), /1G/, SchemaValidationError],
    ['unknown container field', tpl({ containers: [{ image: 'busybox', privileged: true }] }), /Additional properties are not allowed/, SchemaValidationError],
    ['bad init container', tpl({ initContainers: [{ name: 'i1' }], containers: [{ image: 'busybox' }] }), /'image' is a required property/, SchemaValidationError],
    ['unknown volume', tpl({ containers: [{ image: 'busybox', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }] }),
      /^Invalid capsule template: Volume nope is mounted but not defined in spec\.volumes\.$/, InvalidCapsuleTemplate],
    ['volume without size or id', tpl({ volumes: [{ name: 'v1', cinder: {} }], containers: [{ image: 'busybox' }] }),
      /^Invalid capsule template: Volume size is needed\.$/, InvalidCapsuleTemplate],
    ['volume with both', tpl({ volumes: [{ name: 'v1', cinder: { size: 1, volumeID: '7d5a0f2e-54a4-4b0f-8f6e-2b7f0b8f1f00' } }], containers: [{ image: 'busybox' }] }),
      /could not be set at the same time/, InvalidCapsuleTemplate],
    ['unknown top-level field', { ...tpl({ containers: [{ image: 'busybox' }] }), extra: 1 }, /Additional properties are not allowed/, SchemaValidationError],
    ['template missing', undefined, /'template' is a required property/, SchemaValidationError],
  ];
  for (const [what, t, message, cls] of bad) {
    test(`bad template: ${what} → 400`, () => {
      const body = t === undefined ? {} : { template: t };
      assert.throws(() => planCapsule(readTemplate(body), { uuid: UUID, mayChoosePullPolicy: false }), (e: Error) => {
        assert.ok(e instanceof cls, `${e.constructor.name}: ${e.message}`);
        assert.equal((e as unknown as { status: number }).status, 400);
        assert.match(e.message, message);
        return true;
      });
    });
  }
});
