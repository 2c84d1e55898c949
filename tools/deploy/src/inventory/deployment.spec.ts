import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveService } from '../catalogue/resolve';
import { deployment } from '../../tests/fixtures/deployments';
import { hostSetting, sharedConfigDirs } from './deployment';

// three hosts simulated on one machine: an engine and a config dir each
const SIMULATED = `[control]
h1 ansible_connection=local api_interface_address=10.98.0.2 node_config_directory=/srv/h1 docker_socket=/srv/h1.sock
[compute]
h2 ansible_connection=local api_interface_address=10.98.0.3 node_config_directory=/srv/h2 docker_socket=/srv/h2.sock
h3 ansible_connection=local api_interface_address=10.98.0.4
[mariadb:children]
control
[redis:children]
control
[keystone:children]
control
[zun-api:children]
control
[zun-conductor:children]
control
[zun-scheduler:children]
control
[zun-wsproxy:children]
control
[zun-compute:children]
compute
`;

void describe('per-host settings', () => {
  test('a host variable wins over globals.yml; without one, globals.yml applies', () => {
    const dep = deployment(SIMULATED);
    assert.equal(hostSetting(dep, 'h2', 'node_config_directory'), '/srv/h2');
    assert.equal(hostSetting(dep, 'h3', 'node_config_directory'), '/etc/kolla');
    assert.equal(hostSetting(dep, 'h3', 'docker_socket'), '/var/run/docker.sock');
  });

  test('the catalogue resolves them per host: config dir mount and the socket zun-compute gets', () => {
    const dep = deployment(SIMULATED);
    const c = resolveService(dep, 'h2', 'zun-compute');
    assert.ok(c.volumes.includes('/srv/h2/zun-compute/:/var/lib/kolla/config_files/:ro'), c.volumes.join(' '));
    assert.ok(c.volumes.includes('/srv/h2.sock:/var/run/docker.sock'), c.volumes.join(' '));
  });

  test('local hosts sharing a config dir are found (two hosts would overwrite each other)', () => {
    const dep = deployment(SIMULATED);
    assert.equal(sharedConfigDirs(dep, ['h1', 'h2']), null);
    const clash = deployment(SIMULATED.replace('node_config_directory=/srv/h2', 'node_config_directory=/srv/h1'));
    assert.deepEqual(sharedConfigDirs(clash, ['h1', 'h2', 'h3']), { dir: '/srv/h1', hosts: ['h1', 'h2'] });
  });
});
