import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeNetworkDriver } from './fake-network.driver';
import { type NetworkSpec, type PortSpec, toZunAddresses } from './network-driver';
import { NetworkConflict, NetworkNotFoundOnHost, PortConflict, UnexpectedNetworkCall } from './network.errors';

const n1: NetworkSpec = {
  id: 'net-1', name: 'n1', projectId: 'demo', cidr: '10.210.1.0/24', gateway: '10.210.1.1', subnetId: 'sub-1',
  shared: false, natEgress: true, segmentationId: 4101, peers: ['10.99.0.11', '10.99.0.12'],
};
const port = (fixedIp: string, id = `port-${fixedIp}`): PortSpec => ({ id, networkId: 'net-1', fixedIp, preserveOnDelete: false });

describe('FakeNetworkDriver', () => {
  test('ensure is idempotent and drops the own address from the peers', async () => {
    const fake = new FakeNetworkDriver({ underlayAddress: '10.99.0.11' });
    const a = await fake.ensureNetwork(n1);
    const b = await fake.ensureNetwork(n1);
    assert.deepEqual(a, b);
    assert.deepEqual(b.peers, ['10.99.0.12']);
    assert.equal((await fake.listNetworks()).length, 1);
  });

  test('another network on the same segment or an overlapping subnet is a conflict', async () => {
    const fake = new FakeNetworkDriver();
    await fake.ensureNetwork(n1);
    await assert.rejects(fake.ensureNetwork({ ...n1, id: 'net-2', cidr: '10.220.0.0/24', gateway: '10.220.0.1' }), NetworkConflict);
    await assert.rejects(fake.ensureNetwork({ ...n1, id: 'net-2', segmentationId: 4102, cidr: '10.210.0.0/16', gateway: '10.210.0.1' }), /overlaps/);
  });

  test('connect twice answers the same binding; another address or a taken one is a PortConflict', async () => {
    const fake = new FakeNetworkDriver();
    await assert.rejects(fake.connect('c1', port('10.210.1.5')), NetworkNotFoundOnHost);
    await fake.ensureNetwork(n1);
    const first = await fake.connect('c1', port('10.210.1.5'));
    assert.deepEqual(await fake.connect('c1', port('10.210.1.5')), first);
    await assert.rejects(fake.connect('c1', port('10.210.1.6')), PortConflict);
    await assert.rejects(fake.connect('c2', port('10.210.1.5', 'other')), /in use/);
    assert.deepEqual(toZunAddresses([first]), {
      'net-1': [{ addr: '10.210.1.5', version: 4, port: 'port-10.210.1.5', subnet_id: 'sub-1', preserve_on_delete: false }],
    });
  });

  test('delete refuses while a container is attached, then succeeds, and again', async () => {
    const fake = new FakeNetworkDriver();
    await fake.ensureNetwork(n1);
    await fake.connect('c1', port('10.210.1.5'));
    assert.equal(await fake.deleteNetworkIfUnused('net-1'), false);
    await fake.disconnect('c1', 'net-1');
    await fake.disconnect('c1', 'net-1');
    assert.equal(await fake.deleteNetworkIfUnused('net-1'), true);
    assert.equal(await fake.deleteNetworkIfUnused('net-1'), true);
    await assert.rejects(fake.updatePeers('net-1', []), NetworkNotFoundOnHost);
  });

  test('a method outside allow is refused and remembered; failNext injects one failure', async () => {
    const fake = new FakeNetworkDriver({ allow: ['ensureNetwork'] });
    await assert.rejects(fake.listNetworks(), UnexpectedNetworkCall);
    assert.throws(() => fake.verify(), /unexpected listNetworks/);
    fake.failNext('ensureNetwork', new Error('boom'));
    await assert.rejects(fake.ensureNetwork(n1), /boom/);
    await fake.ensureNetwork(n1);
    assert.equal(fake.callsOf('ensureNetwork').length, 2);
  });
});
