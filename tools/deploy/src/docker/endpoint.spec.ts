import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MULTINODE, deployment } from '../../tests/fixtures/deployments';
import { dockerOptions, hostEndpoint } from './endpoint';

void describe('Docker endpoints per host', () => {
  void test('a local host: the unix socket (docker_socket of globals.yml)', () => {
    const e = hostEndpoint(deployment(), 'localhost');
    assert.deepEqual(e, { kind: 'unix', url: 'unix:///var/run/docker.sock', socketPath: '/var/run/docker.sock' });
    assert.deepEqual(dockerOptions(e, 5), { socketPath: '/var/run/docker.sock', timeout: 5 });
  });

  void test('a remote host: ssh to ansible_user@ansible_host by default; docker_host=ssh:// from group vars', () => {
    const dep = deployment(MULTINODE);
    assert.deepEqual(hostEndpoint(dep, 'ctl1'), { kind: 'ssh', url: 'ssh://deploy@10.0.0.11', host: '10.0.0.11', port: 22, username: 'deploy' });
    const cmp = hostEndpoint(dep, 'cmp01');
    assert.equal(cmp.kind, 'ssh');
    assert.equal(cmp.url, 'ssh://root@10.0.1.1');
  });

  void test('tcp:// needs TLS files (docker_cert_path or docker_tls_*), which go to dockerode as https', () => {
    const dep = deployment(MULTINODE);
    assert.deepEqual(hostEndpoint(dep, 'ctl2'), {
      kind: 'tcp',
      url: 'tcp://10.0.0.12:2376',
      host: '10.0.0.12',
      port: 2376,
      tls: { ca: '/etc/zun-kolla/certs/ca.pem', cert: '/etc/zun-kolla/certs/cert.pem', key: '/etc/zun-kolla/certs/key.pem' },
    });
    const dir = mkdtempSync(join(tmpdir(), 'certs-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), f);
    const o = dockerOptions({ kind: 'tcp', url: 'tcp://h:2376', host: 'h', port: 2376, tls: { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } });
    assert.equal(o.protocol, 'https');
    assert.equal(String(o.ca), 'ca.pem');
    const plain = deployment('[zun-compute]\nh1 ansible_host=10.0.0.1 docker_host=tcp://10.0.0.1:2375\n');
    assert.throws(() => hostEndpoint(plain, 'h1'), /without TLS gives root on that host/);
    const onPurpose = deployment('[zun-compute]\nh1 ansible_host=10.0.0.1 docker_host=tcp://10.0.0.1 docker_tls=no\n');
    assert.deepEqual(hostEndpoint(onPurpose, 'h1'), { kind: 'tcp', url: 'tcp://10.0.0.1', host: '10.0.0.1', port: 2375, tls: null });
  });

  void test('other schemes and malformed URLs are refused with the host named', () => {
    assert.throws(() => hostEndpoint(deployment('[c]\nh1 docker_host=http://x:1\n'), 'h1'), /host h1 \(inventory\): docker_host http:\/\/x:1: only unix:\/\/, tcp:\/\/ \(with TLS\) and ssh:\/\//);
    assert.throws(() => hostEndpoint(deployment('[c]\nh1 docker_host=nonsense\n'), 'h1'), /is not a unix:\/\/, tcp:\/\/ or ssh:\/\/ URL/);
  });
});
