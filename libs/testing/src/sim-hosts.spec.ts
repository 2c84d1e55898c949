import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSimHostLines, simHostConf } from './sim-hosts';

const OUT = [
  'host=zsim1 state=up docker_host=unix:///srv/zun/.stack/sim-hosts/zsim1/docker.sock registry=10.99.0.1:5050 address=10.99.0.11 labels=zun.host=zsim1',
  'host=zsim2 state=down docker_host=unix:///srv/zun/.stack/sim-hosts/zsim2/docker.sock registry=10.99.0.1:5050 address=10.99.0.12 labels=zun.host=zsim2,zone=fast,disk=ssd',
  '',
].join('\n');

void describe('parseSimHostLines', () => {
  test('reads every host line', () => {
    const hosts = parseSimHostLines(OUT);
    assert.equal(hosts.length, 2);
    assert.deepEqual(hosts[1], {
      name: 'zsim2',
      index: 2,
      state: 'down',
      dockerHost: 'unix:///srv/zun/.stack/sim-hosts/zsim2/docker.sock',
      socketPath: '/srv/zun/.stack/sim-hosts/zsim2/docker.sock',
      registry: '10.99.0.1:5050',
      address: '10.99.0.12',
      netns: '/run/netns/zsim2',
      labels: { 'zun.host': 'zsim2', zone: 'fast', disk: 'ssd' },
    });
    assert.equal(hosts[0]?.state, 'up');
  });

  test('ignores other lines and rejects a malformed host line', () => {
    assert.deepEqual(parseSimHostLines('[sim-hosts] registry: up\n'), []);
    assert.throws(() => parseSimHostLines('host=other state=up docker_host=tcp://x'), /unexpected line/);
  });

  test('simHostConf gives the compute options of a host, its underlay and namespace included', () => {
    const [host] = parseSimHostLines(OUT);
    assert.ok(host);
    assert.deepEqual(simHostConf(host), {
      DEFAULT: { host: 'zsim1' },
      docker: { docker_remote_api_host: 'unix:///srv/zun/.stack/sim-hosts/zsim1/docker.sock', default_registry: '10.99.0.1:5050' },
      network: { underlay_ip: '10.99.0.11', netns: '/run/netns/zsim1' },
    });
  });
});
