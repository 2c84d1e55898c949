import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enabledServices, servicesOn } from '../inventory/deployment';
import { MULTINODE, deployment } from '../../tests/fixtures/deployments';
import { resolveOneShot, resolveService } from './resolve';
import { ONE_SHOTS, SERVICES, expand, imageRef } from './services';

void describe('service catalogue', () => {
  void test('every entry has the keys of Kolla-Ansible\'s zun_services, and consistent names', () => {
    for (const [name, s] of Object.entries(SERVICES)) {
      for (const key of ['container_name', 'group', 'enabled', 'image', 'volumes', 'dimensions', 'healthcheck', 'privileged'] as const) {
        assert.ok(s[key] !== undefined, `${name}.${key}`);
      }
      assert.equal(s.healthcheck.test[0], 'CMD-SHELL', name);
      assert.deepEqual(Object.keys(s.healthcheck).sort(), ['interval', 'retries', 'start_period', 'test', 'timeout']);
      assert.ok(s.volumes.includes(`{{ node_config_directory }}/${name}/:/var/lib/kolla/config_files/:ro`), `${name} mounts its config dir read-only`);
      assert.ok(s.volumes.includes('kolla_logs:/var/log/kolla/'), name);
      assert.equal(s.environment['KOLLA_CONFIG_STRATEGY'], '{{ kolla_config_strategy }}');
      if (name.startsWith('zun-')) {
        assert.equal(s.container_name, name.replace('-', '_'));
        assert.equal(s.group, name);
        assert.equal(s.image, name);
        assert.match(s.command, new RegExp(`/opt/zun-ts/bin/${name}\\.js --config-file /etc/zun/zun\\.conf$`));
      }
    }
    assert.deepEqual(Object.keys(SERVICES), ['haproxy', 'mariadb', 'redis', 'keystone', 'zun-conductor', 'zun-scheduler', 'zun-api', 'zun-wsproxy', 'zun-compute']);
  });

  void test('nothing runs privileged; zun-compute reaches Docker through the mounted socket only', () => {
    assert.deepEqual(Object.values(SERVICES).filter((s) => s.privileged), []);
    const compute = SERVICES['zun-compute'];
    assert.ok(compute?.volumes.includes('{{ docker_socket }}:/var/run/docker.sock'));
    assert.deepEqual(Object.entries(SERVICES).filter(([, s]) => s.volumes.some((v) => v.includes('docker.sock'))).map(([n]) => n), ['zun-compute']);
    assert.deepEqual(Object.entries(SERVICES).filter(([, s]) => s.cap_add.length).map(([n, s]) => [n, s.cap_add]), [['haproxy', ['NET_ADMIN']], ['zun-compute', ['NET_ADMIN']]], 'only the VIP and the project networks need a capability');
  });

  void test('bootstrap_zun runs once with the zun-api image and KOLLA_BOOTSTRAP on the first zun-api host', () => {
    const dep = deployment(MULTINODE);
    const b = resolveOneShot(dep, 'bootstrap_zun');
    assert.ok(b);
    assert.equal(b.host, 'ctl1');
    assert.equal(b.container_name, 'bootstrap_zun');
    assert.equal(b.image, 'zun-ts/zun-api:latest');
    assert.deepEqual(b.environment, { KOLLA_CONFIG_STRATEGY: 'COPY_ALWAYS', KOLLA_BOOTSTRAP: '' });
    assert.equal(b.healthcheck, null);
    assert.ok(b.volumes.includes('/etc/kolla/zun-api/:/var/lib/kolla/config_files/:ro'));
    assert.deepEqual(Object.keys(ONE_SHOTS), ['bootstrap_keystone', 'bootstrap_zun']);
  });

  void test('resolved for a host: image reference, volumes, healthcheck, ports', () => {
    const dep = deployment(undefined, 'kolla_internal_vip_address: 192.0.2.10\ndocker_registry: 127.0.0.1:5050\nopenstack_tag: "7"\nzun_tag: "1.2"\nnode_config_directory: /srv/kolla\n');
    const api = resolveService(dep, 'localhost', 'zun-api');
    assert.equal(api.image, '127.0.0.1:5050/zun-ts/zun-api:1.2');
    assert.equal(api.volumes[0], '/srv/kolla/zun-api/:/var/lib/kolla/config_files/:ro');
    assert.deepEqual(api.healthcheck?.test, ['CMD-SHELL', 'healthcheck_curl http://192.0.2.10:9517/healthcheck']);
    assert.deepEqual(api.ports, [9517]);
    assert.equal(resolveService(dep, 'localhost', 'mariadb').image, '127.0.0.1:5050/zun-ts/mariadb:7');
    assert.ok(resolveService(dep, 'localhost', 'zun-compute').volumes.includes('/var/run/docker.sock:/var/run/docker.sock'));
    const off = deployment(undefined, 'kolla_internal_vip_address: 192.0.2.10\nenable_container_healthchecks: no\n');
    assert.equal(resolveService(off, 'localhost', 'zun-api').healthcheck, null);
  });

  void test('placement follows the groups and the enable_* flags', () => {
    const dep = deployment(MULTINODE, 'kolla_internal_vip_address: 10.0.0.250\nenable_keystone: no\nkeystone_internal_url: http://ks:5000\n');
    assert.deepEqual(servicesOn(dep, 'ctl1'), ['mariadb', 'redis', 'zun-conductor', 'zun-scheduler', 'zun-api', 'zun-wsproxy']);
    assert.deepEqual(servicesOn(dep, 'cmp01'), ['zun-compute']);
    assert.ok(!enabledServices(dep).some(([n]) => n === 'keystone'));
  });

  void test('expand fills placeholders and refuses unknown ones; imageRef without a registry', () => {
    assert.equal(expand('{{ a }}:{{b}}', { a: 1, b: 'x' }), '1:x');
    assert.throws(() => expand('{{ nope }}', {}), /no value for \{\{ nope \}\}/);
    assert.equal(imageRef({ image: 'redis' }, { docker_registry: '', docker_namespace: 'ns', zun_tag: 'z', openstack_tag: 'o' }), 'ns/redis:o');
  });
});
