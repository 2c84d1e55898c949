import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Reporter } from '../cli/report';
import { type Engines } from '../docker/engine';
import { MULTINODE, deployment } from '../../tests/fixtures/deployments';
import { hostChecks, sanityChecks } from './prechecks';

function fakeEngines(opts: { down?: boolean; api?: string; running?: string[]; busy?: number[] } = {}): Engines {
  return {
    version: () => (opts.down ? Promise.reject(new Error('connect ENOENT /var/run/docker.sock')) : Promise.resolve({ version: '20.10.24', apiVersion: opts.api ?? '1.41' })),
    runningContainers: () => Promise.resolve(opts.running ?? []),
    portInUse: (_a, port) => Promise.resolve((opts.busy ?? []).includes(port)),
  };
}

function capture(): { report: Reporter; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { report: new Reporter({ out: (t) => void out.push(t), err: (t) => void err.push(t) }), out, err };
}

void describe('prechecks', () => {
  void test('an all-in-one inventory passes the input checks', () => {
    assert.deepEqual(sanityChecks(deployment(), ['localhost']), []);
  });

  void test('missing and empty groups, clustered backends, haproxy and unused hosts are reported', () => {
    const inv = '[control]\nc1 ansible_host=10.0.0.1\nc2 ansible_host=10.0.0.2\n[spare]\ns1\n[mariadb:children]\ncontrol\n[redis:children]\ncontrol\n[keystone]\n[zun-api:children]\ncontrol\n';
    const f = sanityChecks(deployment(inv, 'kolla_internal_vip_address: 10.0.0.250\nenable_haproxy: yes\n'), ['c1', 'c2']);
    const msgs = f.map((x) => `${x.level}: ${x.message}`);
    assert.ok(msgs.includes('error: inventory: no group "zun-conductor" (e.g. [zun-conductor:children] with control or compute under it)'), msgs.join('\n'));
    assert.ok(msgs.includes('error: inventory: group "keystone" has no host, but keystone is enabled'));
    assert.ok(msgs.includes('error: inventory: group "mariadb" has 2 hosts; mariadb runs on one host (clustering is not supported yet)'));
    assert.ok(msgs.includes('error: globals.yml: enable_haproxy: yes is not supported yet (one host per backend, no VIP)'));
    assert.ok(msgs.includes('warning: inventory: host s1 runs no enabled service'));
  });

  void test('without haproxy, a VIP that is no API host\'s address is a warning', () => {
    const f = sanityChecks(deployment(undefined, 'kolla_internal_vip_address: 192.0.2.99\n'), ['localhost']);
    assert.deepEqual(f.map((x) => x.level), ['warning']);
    assert.match(f[0]?.message ?? '', /kolla_internal_vip_address 192\.0\.2\.99 should be a zun-api\/zun-wsproxy host's address \(192\.0\.2\.10\)/);
    assert.deepEqual(sanityChecks(deployment(undefined, 'kolla_internal_vip_address: 192.0.2.99\nkolla_external_fqdn: zun.example\n'), ['localhost']), []);
  });

  void test('a host without a usable address, or two services on one port, is an error', () => {
    const noAddr = sanityChecks(deployment(MULTINODE.replace('ctl1 ansible_host=10.0.0.11', 'ctl1 ansible_host=ctl1.lan')), ['ctl1']);
    assert.ok(noAddr.some((x) => /host ctl1: set api_interface_address, or an IP address as ansible_host/.test(x.message)));
    const clash = sanityChecks(deployment(undefined, 'kolla_internal_vip_address: 192.0.2.10\nzun_wsproxy_port: 9517\n'), ['localhost']);
    assert.deepEqual(clash.map((x) => x.message), ['host localhost: zun-wsproxy and zun-api both listen on port 9517']);
  });

  void test('host checks: the engine answers and every port is free', async () => {
    const c = capture();
    await hostChecks(deployment(), 'localhost', fakeEngines(), c.report);
    assert.equal(c.report.errors, 0);
    assert.match(c.out[0] ?? '', /^localhost\s+-\s+docker: unix:\/\/\/var\/run\/docker\.sock answers \(Docker 20\.10\.24, API 1\.41\)/);
    assert.deepEqual(c.out.filter((l) => /port \d+: free/.test(l)).length, 5); // mariadb, redis, keystone, api, wsproxy
  });

  void test('host checks: an unreachable engine, a busy port, an old API', async () => {
    const down = capture();
    await hostChecks(deployment(), 'localhost', fakeEngines({ down: true }), down.report);
    assert.deepEqual(down.err, ['error: host localhost: Docker at unix:///var/run/docker.sock does not answer: connect ENOENT /var/run/docker.sock\n']);
    const busy = capture();
    await hostChecks(deployment(), 'localhost', fakeEngines({ busy: [9517], api: '1.39' }), busy.report);
    assert.deepEqual(busy.err, ['warning: host localhost: Docker API 1.39 is older than 1.41\n', 'error: host localhost: port 192.0.2.10:9517, needed by zun-api, is in use by something else\n']);
  });

  void test('host checks: a port held by our own running container is fine (deploy twice)', async () => {
    const c = capture();
    await hostChecks(deployment(), 'localhost', fakeEngines({ running: ['zun_api'], busy: [9517] }), c.report);
    assert.equal(c.report.errors, 0);
    assert.ok(c.out.some((l) => /zun-api\s+port 9517: held by the running zun_api/.test(l)));
  });
});
