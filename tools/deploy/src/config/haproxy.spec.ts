import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveService } from '../catalogue/resolve';
import { MULTINODE, deployment } from '../../tests/fixtures/deployments';
import { endpoints } from '../inventory/deployment';
import { renderHost } from './render';
import { haproxyConfig } from './haproxy';

const TWO_APIS = `${MULTINODE}[loadbalancer:children]\ncontrol\n`;
const GLOBALS = 'kolla_internal_vip_address: 10.0.0.250\nenable_haproxy: yes\n';

/** The lines of one `listen` section. */
function section(cfg: string, name: string): string[] {
  const m = new RegExp(`^listen ${name}\\n((?:    .*\\n)*)`, 'm').exec(cfg);
  assert.ok(m, `no listen ${name} in\n${cfg}`);
  return (m[1] ?? '').trimEnd().split('\n').map((l) => l.trim());
}

void describe('haproxy.cfg', () => {
  test('zun_api on the VIP with a server per zun-api host, checked with GET /healthcheck', () => {
    const cfg = haproxyConfig(deployment(TWO_APIS, GLOBALS));
    const api = section(cfg, 'zun_api');
    assert.ok(api.includes('bind 10.0.0.250:9517'), api.join('\n'));
    assert.ok(api.includes('option httpchk GET /healthcheck'));
    assert.deepEqual(api.filter((l) => l.startsWith('server ')), ['server ctl1 10.0.0.11:9517 check inter 2s fall 2 rise 2', 'server ctl2 10.0.0.12:9517 check inter 2s fall 2 rise 2']);
    assert.ok(section(cfg, 'zun_wsproxy').includes('bind 10.0.0.250:6784'));
    assert.ok(section(cfg, 'mariadb').includes('mode tcp'));
    assert.ok(section(cfg, 'redis').includes('bind 10.0.0.250:6379'));
    assert.ok(section(cfg, 'keystone_internal').includes('option httpchk GET /v3'));
  });

  test('maxconn fits the open-files limit (haproxy refused to start under an engine limited to 20000)', () => {
    assert.match(haproxyConfig(deployment(TWO_APIS, GLOBALS)), /^ {4}maxconn 40000$/m);
    const cfg = haproxyConfig(deployment(TWO_APIS, `${GLOBALS}default_container_nofile: 20000\n`));
    assert.match(cfg, /^ {4}maxconn 9900$/m);
  });

  test('a refused connection is retried on another backend (a dead zun-api costs no request)', () => {
    const cfg = haproxyConfig(deployment(TWO_APIS, GLOBALS));
    assert.match(cfg, /^ {4}option redispatch 1$/m);
    assert.ok(section(cfg, 'zun_api').includes('retry-on conn-failure empty-response'));
  });

  test('the loadbalancer hosts render it; backends resolve to the VIP; only the first one holds the VIP', () => {
    const dep = deployment(TWO_APIS, GLOBALS);
    assert.ok(renderHost(dep, 'ctl1').files.some((f) => f.path === 'haproxy/haproxy.cfg'));
    assert.ok(!renderHost(dep, 'cmp01').files.some((f) => f.path.startsWith('haproxy/')));
    assert.equal(endpoints(dep).databaseHost, '10.0.0.250');
    const env = (h: string): Record<string, string> => resolveService(dep, h, 'haproxy').environment;
    assert.equal(env('ctl1')['HAPROXY_VIP_ADDRESS'], '10.0.0.250');
    assert.equal(env('ctl2')['HAPROXY_VIP_ADDRESS'], '');
  });
});
