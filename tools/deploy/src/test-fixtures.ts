// Inputs shared by the unit tests: Kolla's all-in-one and multinode layouts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Deployment } from './inventory/deployment';
import { parseGlobals } from './inventory/globals';
import { parseInventory } from './inventory/inventory';
import { PASSWORD_KEYS, type Passwords } from './inventory/passwords';

export const ALL_IN_ONE = `# one machine runs everything
[control]
localhost ansible_connection=local

[compute]
localhost ansible_connection=local

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

export const MULTINODE = `[control]
ctl1 ansible_host=10.0.0.11
ctl2 ansible_host=10.0.0.12 docker_host=tcp://10.0.0.12:2376 docker_cert_path=/etc/zun-kolla/certs

[compute]
cmp[01:02] api_interface_address=10.0.1.1

[all:vars]
ansible_user=deploy

[compute:vars]
docker_host=ssh://root@10.0.1.1

[mariadb:children]
control
[redis:children]
control
[keystone:children]
control
[zun:children]
control
[zun-api:children]
zun
[zun-conductor:children]
zun
[zun-scheduler:children]
zun
[zun-wsproxy:children]
zun
[zun-compute:children]
compute
`;

export const PASSWORDS = Object.fromEntries(PASSWORD_KEYS.map((k) => [k, `pw-${k}`])) as Passwords;

/** A deployment on the given inventory; the local machine's eth0 is 192.0.2.10. */
export function deployment(inventory = ALL_IN_ONE, globals = 'kolla_internal_vip_address: 192.0.2.10\n', configDir = mkdtempSync(join(tmpdir(), 'zun-kolla-'))): Deployment {
  return {
    inventory: parseInventory(inventory, 'inventory'),
    globals: parseGlobals(globals, 'globals.yml').globals,
    passwords: PASSWORDS,
    configDir,
    interfaces: () => ({ eth0: [{ address: '192.0.2.10', family: 'IPv4', netmask: '255.255.255.0', mac: '00:00:00:00:00:00', internal: false, cidr: '192.0.2.10/24' }] }),
  };
}
