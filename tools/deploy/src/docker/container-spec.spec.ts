import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveOneShot, resolveService } from '../catalogue/resolve';
import { deployment } from '../../tests/fixtures/deployments';
import { LABELS, type ExistingContainer, createOptions, namedVolumes, planAction, stableHash } from './container-spec';

void describe('container create options', () => {
  const dep = deployment();

  void test('a service: host network, read-only config dir, unless-stopped, healthcheck in ns, ulimits, labels', () => {
    const o = createOptions(resolveService(dep, 'localhost', 'zun-api'));
    assert.equal(o.name, 'zun_api');
    assert.equal(o.Image, 'zun-ts/zun-api:latest');
    assert.deepEqual(o.Env, ['KOLLA_CONFIG_STRATEGY=COPY_ALWAYS']);
    assert.equal(o.HostConfig?.NetworkMode, 'host');
    assert.deepEqual(o.HostConfig?.RestartPolicy, { Name: 'unless-stopped' });
    assert.equal(o.HostConfig?.Privileged, false);
    assert.deepEqual(o.HostConfig?.Binds, ['/etc/kolla/zun-api/:/var/lib/kolla/config_files/:ro', '/etc/localtime:/etc/localtime:ro', 'kolla_logs:/var/log/kolla/']);
    assert.deepEqual(o.HostConfig?.Ulimits, [{ Name: 'nofile', Soft: 1048576, Hard: 1048576 }]);
    assert.deepEqual(o.Healthcheck, { Test: ['CMD-SHELL', 'healthcheck_curl http://192.0.2.10:9517/healthcheck'], Interval: 30e9, Timeout: 30e9, Retries: 3, StartPeriod: 5e9 });
    assert.equal(o.Labels?.[LABELS.service], 'zun-api');
    assert.match(o.Labels?.[LABELS.spec] ?? '', /^[0-9a-f]{16}$/);
  });

  void test('the one-shot bootstrap_zun: no restart, no healthcheck, KOLLA_BOOTSTRAP set', () => {
    const b = resolveOneShot(dep, 'bootstrap_zun');
    assert.ok(b);
    const o = createOptions(b, { oneShot: true });
    assert.equal(o.name, 'bootstrap_zun');
    assert.deepEqual(o.HostConfig?.RestartPolicy, { Name: 'no' });
    assert.deepEqual(o.Healthcheck, { Test: ['NONE'] });
    assert.ok(o.Env?.includes('KOLLA_BOOTSTRAP='));
  });

  void test('the spec hash changes with what matters and not with key order', () => {
    const a = createOptions(resolveService(dep, 'localhost', 'zun-compute'));
    const other = deployment(undefined, 'kolla_internal_vip_address: 192.0.2.10\nopenstack_tag: "2"\n');
    const b = createOptions(resolveService(other, 'localhost', 'zun-compute'));
    assert.notEqual(a.Labels?.[LABELS.spec], b.Labels?.[LABELS.spec]);
    assert.equal(createOptions(resolveService(dep, 'localhost', 'zun-compute')).Labels?.[LABELS.spec], a.Labels?.[LABELS.spec]);
    assert.equal(stableHash({ a: 1, b: [1, { c: 2, d: 3 }] }), stableHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
  });

  void test('named volumes are the sources without a slash', () => {
    assert.deepEqual(namedVolumes(resolveService(dep, 'localhost', 'mariadb').volumes), ['kolla_logs', 'mariadb']);
    assert.deepEqual(namedVolumes(['', '/a:/b', 'x:/y:ro']), ['x']);
  });
});

void describe('planAction (compare_container)', () => {
  const wanted = createOptions(resolveService(deployment(), 'localhost', 'zun-api'));
  const same = (over: Partial<ExistingContainer> = {}): ExistingContainer => ({ labels: { ...(wanted.Labels ?? {}) }, running: true, imageId: 'sha256:1', wantedImageId: 'sha256:1', ...over });

  void test('deploy twice changes nothing; stopped is started; missing is created', () => {
    assert.equal(planAction(same(), wanted, false, 'COPY_ALWAYS'), 'none');
    assert.equal(planAction(same({ running: false }), wanted, false, 'COPY_ALWAYS'), 'start');
    assert.equal(planAction(null, wanted, false, 'COPY_ALWAYS'), 'create');
  });

  void test('a new spec or image recreates; a config change restarts (COPY_ALWAYS) or recreates (COPY_ONCE)', () => {
    assert.equal(planAction(same({ labels: { [LABELS.spec]: 'old' } }), wanted, false, 'COPY_ALWAYS'), 'recreate');
    assert.equal(planAction(same({ wantedImageId: 'sha256:2' }), wanted, false, 'COPY_ALWAYS'), 'recreate');
    assert.equal(planAction(same(), wanted, true, 'COPY_ALWAYS'), 'restart');
    assert.equal(planAction(same(), wanted, true, 'COPY_ONCE'), 'recreate');
  });
});
