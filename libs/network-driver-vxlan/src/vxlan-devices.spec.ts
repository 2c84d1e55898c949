import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandArgv } from './host-commands';
import { VxlanDataPlane, parseFloodPeers, parseVxlanLink } from './vxlan-devices';
import { bridgeName, vniOfDevice, vxlanName } from './vxlan-naming';

describe('VXLAN data plane', () => {
  test('device names fit IFNAMSIZ for every VNI and map back', () => {
    assert.equal(vxlanName(16777215), 'zvx-16777215');
    assert.ok(bridgeName(16777215).length <= 15);
    assert.equal(vniOfDevice('zvx-42'), 42);
    assert.equal(vniOfDevice('eth0'), null);
  });

  test('commands run through nsenter when a namespace is set, without a shell', () => {
    assert.deepEqual(commandArgv('ip', ['link'], 'zsim1'), ['nsenter', ['--net=/run/netns/zsim1', 'ip', 'link']]);
    assert.deepEqual(commandArgv('ip', ['link'], undefined), ['ip', ['link']]);
  });

  test('ip -d -j link and bridge -j fdb output is parsed', () => {
    const link = JSON.stringify([{ ifname: 'zvx-7', flags: ['BROADCAST', 'UP'], mtu: 1450, master: 'zbr-7',
      linkinfo: { info_kind: 'vxlan', info_data: { id: 7, local: '10.99.0.11', port: 4789, learning: true } } }]);
    assert.deepEqual(parseVxlanLink(link), { name: 'zvx-7', vni: 7, local: '10.99.0.11', port: 4789, learning: true, master: 'zbr-7', mtu: 1450, up: true });
    assert.equal(parseVxlanLink(JSON.stringify([{ ifname: 'br0', linkinfo: { info_kind: 'bridge' } }])), null);
    const fdb = JSON.stringify([{ mac: '02:42:0a:c8:00:14', master: 'zbr-7' }, { mac: '00:00:00:00:00:00', dst: '10.99.0.13' }, { mac: '00:00:00:00:00:00', dst: '10.99.0.12' }]);
    assert.deepEqual(parseFloodPeers(fdb), ['10.99.0.12', '10.99.0.13']);
  });

  test('setFloodPeers adds the missing peers, removes the stale ones and what was learned behind them', async () => {
    const calls: string[] = [];
    const plane = new VxlanDataPlane(async (cmd, args) => {
      calls.push(`${cmd} ${args.join(' ')}`);
      if (args[0] === '-j') {
        return JSON.stringify([{ mac: '00:00:00:00:00:00', dst: '10.0.0.2' }, { mac: '00:00:00:00:00:00', dst: '10.0.0.3' },
          { mac: '02:42:0a:00:00:05', dst: '10.0.0.2' }, { mac: '02:42:0a:00:00:06', dst: '10.0.0.3' }, { mac: '02:42:0a:00:00:07' }]);
      }
      return '';
    });
    await plane.setFloodPeers('zvx-7', ['10.0.0.3', '10.0.0.4']);
    assert.deepEqual(calls.slice(1), [
      'bridge fdb append 00:00:00:00:00:00 dev zvx-7 dst 10.0.0.4',
      'bridge fdb del 00:00:00:00:00:00 dev zvx-7 dst 10.0.0.2',
      'bridge fdb del 02:42:0a:00:00:05 dev zvx-7 dst 10.0.0.2',
    ]);
  });
});
