import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { adminContext, ContainerNotFound, NotAuthorized, PortNotFound, silentLogger } from '@zun-ts/common';
import { type Container } from '@zun-ts/objects';
import { COMPUTE, localClient, type RpcCaller } from '@zun-ts/rpc';
import { FakeNetworkRepository } from '../tests/fixtures/fake-network-repository';
import { NetworkRecords } from './network-records';

const CN1: RpcCaller = { host: 'cn1', binary: 'zun-compute' };
const CN2: RpcCaller = { host: 'cn2', binary: 'zun-compute' };
const CN3: RpcCaller = { host: 'cn3', binary: 'zun-compute' };

/** Containers: c1 and c4 on cn1, c2 on cn2, c3 on cn3. */
function containers(): { getByUuid: (scope: unknown, uuid: string) => Promise<Container> } {
  const hosts: Record<string, string> = { c1: 'cn1', c2: 'cn2', c3: 'cn3', c4: 'cn1' };
  return {
    getByUuid: async (_scope, uuid) => {
      const host = hosts[uuid];
      if (!host) throw new ContainerNotFound(`Container ${uuid} could not be found.`);
      return { uuid, host } as Container;
    },
  };
}

describe('NetworkRecords', () => {
  let repo: FakeNetworkRepository;
  let records: NetworkRecords;
  let casts: Array<{ host: string; network_uuid: string; peers: string[] }>;
  beforeEach(() => {
    repo = new FakeNetworkRepository();
    repo.underlay.set('cn1', '192.0.2.1').set('cn2', '192.0.2.2').set('cn3', '192.0.2.3');
    repo.addNetwork('n1');
    repo.addNetwork('n2');
    repo.addNetwork('n3');
    // n1 on cn1 (c1), cn2 (c2), cn3 (c3); n2 on cn1 (c1 and c4) and cn2 (c2); c1 also waits for an address on n3,
    // where c3's port is being detached.
    repo.addPort('p1', 'c1', 'n1', { host: 'cn1', status: 'bound', fixed_ip: '10.0.0.2' });
    repo.addPort('p4', 'c1', 'n2', { host: 'cn1', status: 'allocated', fixed_ip: '10.0.0.2' });
    repo.addPort('p7', 'c1', 'n3');
    repo.addPort('p2', 'c2', 'n1', { host: 'cn2', status: 'allocated', fixed_ip: '10.0.0.3' });
    repo.addPort('p6', 'c2', 'n2', { host: 'cn2', status: 'bound', fixed_ip: '10.0.0.3' });
    repo.addPort('p3', 'c3', 'n1', { host: 'cn3', status: 'bound', fixed_ip: '10.0.0.4' });
    repo.addPort('p8', 'c3', 'n3', { host: 'cn3', status: 'detaching', fixed_ip: '10.0.0.2' });
    repo.addPort('p5', 'c4', 'n2', { host: 'cn1', status: 'bound', fixed_ip: '10.0.0.4' });
    casts = [];
    const compute = (host: string) => localClient(COMPUTE, { networkUpdatePeers: async (_c, args) => void casts.push({ host, ...args }) });
    records = new NetworkRecords(repo, containers(), compute, silentLogger());
  });

  test('containerNetworks: the caller\'s container\'s ports with an address, by device_index, with the caller\'s peers', async () => {
    const got = await records.containerNetworks({ container_uuid: 'c1' }, CN1);
    assert.deepEqual(got.map((p) => [p.port.uuid, p.network.uuid, p.port.fixed_ip, p.peers]),
      [['p1', 'n1', '10.0.0.2', ['192.0.2.2', '192.0.2.3']], ['p4', 'n2', '10.0.0.2', ['192.0.2.2']]]);
    // A detaching port is answered too: the host's networkDetach unplugs it from there (and never plugs it again).
    assert.deepEqual((await records.containerNetworks({ container_uuid: 'c3' }, CN3)).map((p) => [p.port.uuid, p.port.status]), [['p3', 'bound'], ['p8', 'detaching']]);
  });

  test('containerNetworks: another host\'s container is ContainerNotFound; only compute hosts may ask', async () => {
    await assert.rejects(records.containerNetworks({ container_uuid: 'c2' }, CN1), (e: unknown) => e instanceof ContainerNotFound && /c2/.test(e.message));
    await assert.rejects(records.containerNetworks({ container_uuid: 'gone' }, CN1), ContainerNotFound);
    await assert.rejects(records.containerNetworks({ container_uuid: 'c1' }, { host: 'cn1', binary: 'zun-api' }), NotAuthorized);
  });

  test('portSave: writes the MAC and status of the caller\'s port, nothing else; a redelivery writes the same', async () => {
    const patch = { mac_address: '02:42:0a:00:00:02', status: 'bound', fixed_ip: '10.0.0.9', host: 'cn2' } as never;
    const saved = await records.save(adminContext(), { port_uuid: 'p4', patch }, CN1);
    assert.deepEqual([saved.mac_address, saved.status, saved.fixed_ip, saved.host], ['02:42:0a:00:00:02', 'bound', '10.0.0.2', 'cn1']);
    const again = await records.save(adminContext(), { port_uuid: 'p4', patch }, CN1);
    assert.deepEqual([again.mac_address, again.status], ['02:42:0a:00:00:02', 'bound']);
    assert.deepEqual(repo.updates.map((u) => u.patch), [{ mac_address: '02:42:0a:00:00:02', status: 'bound' }, { mac_address: '02:42:0a:00:00:02', status: 'bound' }]);
    // p4 became bound: the other hosts on its network hear of cn1 (once: the redelivery finds it bound already).
    assert.ok(casts.length > 0 && casts.every((c) => c.host !== 'cn1'), JSON.stringify(casts));
    const told = casts.length;
    await records.save(adminContext(), { port_uuid: 'p4', patch }, CN1);
    assert.equal(casts.length, told);
  });

  test('portSave: a port of another host\'s container is PortNotFound and stays as it was; so is an absent one', async () => {
    await assert.rejects(records.save(adminContext(), { port_uuid: 'p2', patch: { mac_address: 'aa:bb:cc:dd:ee:ff', status: 'bound' } }, CN1),
      (e: unknown) => e instanceof PortNotFound && e.message === 'Port p2 could not be found.');
    await assert.rejects(records.save(adminContext(), { port_uuid: 'nope', patch: { status: 'bound' } }, CN1), PortNotFound);
    await assert.rejects(records.save(adminContext(), { port_uuid: 'p1', patch: { status: 'bound' } }, { host: 'cn1', binary: 'zun-wsproxy' }), NotAuthorized);
    assert.deepEqual([repo.port('p2').mac_address, repo.port('p2').status, repo.updates], [null, 'allocated', []]);
  });

  test('portRelease of one port: the host left n1, so every other host on it gets its new peers; a redelivery tells no one', async () => {
    await records.release(adminContext(), { container_uuid: 'c1', port_uuid: 'p1' }, CN1);
    await assert.rejects(repo.getPort('p1'), PortNotFound);
    assert.deepEqual(casts, [
      { host: 'cn2', network_uuid: 'n1', peers: ['192.0.2.3'] },
      { host: 'cn3', network_uuid: 'n1', peers: ['192.0.2.2'] },
    ]);
    await records.release(adminContext(), { container_uuid: 'c1', port_uuid: 'p1' }, CN1);
    assert.equal(casts.length, 2);
    assert.deepEqual((await repo.portsOf('c1')).map((p) => p.port.uuid), ['p4', 'p7'], 'the other ports stay');
  });

  test('portRelease of every port: only networks the host left are announced (c4 keeps cn1 on n2)', async () => {
    await records.release(adminContext(), { container_uuid: 'c1', port_uuid: null }, CN1);
    assert.deepEqual(await repo.portsOf('c1'), []);
    assert.deepEqual(casts.map((c) => [c.host, c.network_uuid, c.peers]), [['cn2', 'n1', ['192.0.2.3']], ['cn3', 'n1', ['192.0.2.2']]]);
    await records.release(adminContext(), { container_uuid: 'c1', port_uuid: null }, CN1);
    assert.equal(casts.length, 2);
  });

  test('portRelease: another host\'s container, a gone container, or a port of another container releases nothing', async () => {
    await records.release(adminContext(), { container_uuid: 'c1', port_uuid: null }, CN2);
    await records.release(adminContext(), { container_uuid: 'gone', port_uuid: null }, CN1);
    await records.release(adminContext(), { container_uuid: 'c1', port_uuid: 'p2' }, CN1);
    assert.deepEqual([(await repo.portsOf('c1')).length, repo.port('p2').uuid, casts], [3, 'p2', []]);
  });

  test('networksOnHost: the caller\'s networks with its peers, whatever it asks', async () => {
    const got = await records.onHost(CN1);
    assert.deepEqual(got.map((h) => [h.network.uuid, h.peers]).sort(), [['n1', ['192.0.2.2', '192.0.2.3']], ['n2', ['192.0.2.2']]]);
    assert.deepEqual((await records.onHost(CN3)).map((h) => [h.network.uuid, h.peers]), [['n1', ['192.0.2.1', '192.0.2.2']], ['n3', []]]);
    await assert.rejects(records.onHost({ host: 'cn1', binary: 'zun-api' }), NotAuthorized);
  });
});
