import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, ImageNotFound, KeyedLock, type RequestContext, silentLogger } from '@zun-ts/common';
import { type ContainerCreateSpec, FakeContainerDriver } from '@zun-ts/compute-driver';
import { defaultConf } from '@zun-ts/config';
import { FakeNetworkDriver, NetworkDriverError, type NetworkSpec, type PortSpec } from '@zun-ts/network-driver';
import { type Container, type NetworkPort } from '@zun-ts/objects';
import { type BuildRetry } from '@zun-ts/rpc';
import { FakeVolumeDriver } from '@zun-ts/volume-driver';
import { fakeContainer, FakeConductor, fakeNetwork } from '../tests/fixtures/fake-conductor';
import { ComputeManager } from './compute.manager';
import { ContainerRecords } from './conductor-api';
import { ContainerBuilder } from './container-builder';
import { createSpecOf } from './container-mapping';
import { ContainerNetworks, publishIpOf } from './container-networks';
import { ContainerOperations } from './container-operations';
import { ContainerSync } from './container-sync';
import { ContainerVolumes } from './container-volumes';
import { ResourceTracker } from './resource-tracker';

const HOST = 'cn1';
const PUBLISH_IP = '192.0.2.11';
const ctx: RequestContext = adminContext('req-networks');
const retry: BuildRetry = { request: { container_uuid: 'x', run: true, hints: {}, availability_zone: null, requested_host: null }, attempt: 1, hosts: [HOST] };
const C1 = '22222222-0000-4000-8000-000000000001';
const C2 = '22222222-0000-4000-8000-000000000002';

function rig() {
  const conductor = new FakeConductor();
  const net = new FakeNetworkDriver({ underlayAddress: PUBLISH_IP });
  // What `docker create` does on a real host: the container joins its first network with the given address.
  const engine = FakeContainerDriver.simulated({
    onCreate: (spec, state) => {
      for (const [name, ep] of Object.entries(spec.endpoints_config ?? {})) {
        const port = conductor.ports.find((p) => p.container_uuid === spec.uuid && `zun-${p.network_uuid}` === name);
        if (port) net.plug(state.container_id, { id: port.uuid, networkId: port.network_uuid, fixedIp: ep.IPAMConfig.IPv4Address, preserveOnDelete: port.preserve_on_delete });
      }
    },
    // and what `docker rm` does: its endpoints go with it.
    onDelete: (state) => {
      for (const n of net.networks.values()) n.ports.delete(state.container_id);
    },
  });
  const records = new ContainerRecords(conductor.client(HOST), HOST, silentLogger());
  const volumes = new ContainerVolumes(new FakeVolumeDriver(), records, silentLogger());
  const networks = new ContainerNetworks(net, records, { publishIp: PUBLISH_IP }, silentLogger());
  const locks = new KeyedLock();
  const builder = new ContainerBuilder(engine, records, volumes, networks, silentLogger());
  const ops = new ContainerOperations(engine, records, builder, volumes, networks, locks, silentLogger());
  const sync = new ContainerSync(engine, records, builder, networks, locks, silentLogger(), { orphanGraceMs: 1000 });
  const manager = new ComputeManager(defaultConf({ DEFAULT: { host: HOST } }), engine, ops);
  return { conductor, net, engine, networks, manager, sync };
}
type Rig = ReturnType<typeof rig>;

async function create(r: Rig, uuid: string, patch: Partial<Container> = {}, run = true): Promise<Container> {
  const c = r.conductor.put(fakeContainer({ uuid, ...patch }));
  await r.manager.containerCreate(ctx, { container_uuid: c.uuid, container: c, run, retry });
  return r.conductor.row(c.uuid);
}

const createSpec = (r: Rig): ContainerCreateSpec => r.engine.callsOf('create').at(-1)?.[1] as ContainerCreateSpec;
const address = (p: NetworkPort, subnetId: string) => ({ addr: p.fixed_ip, version: 4, port: p.uuid, subnet_id: subnetId, preserve_on_delete: p.preserve_on_delete });

describe('ContainerNetworks: create', () => {
  test('networks ensured with their peers, the first port in the create options, the others connected after; ports bound; addresses from the ports', async () => {
    const r = rig();
    const n1 = fakeNetwork(1);
    const n2 = fakeNetwork(2, { nat_egress: false });
    const p1 = r.conductor.addPort(C1, n1, 5);
    const p2 = r.conductor.addPort(C1, n2, 6, { preserve_on_delete: true });
    r.conductor.peers.set(n1.uuid, ['192.0.2.12', PUBLISH_IP]);
    const c = await create(r, C1);

    assert.equal(c.status, 'Running');
    assert.deepEqual(r.net.calls.map((x) => x.method), ['ensureNetwork', 'ensureNetwork', 'createNetworking', 'describePort', 'connect']);
    const ensured = r.net.callsOf('ensureNetwork').map((a) => a[0] as NetworkSpec);
    assert.deepEqual(ensured.map((s) => [s.id, s.cidr, s.gateway, s.segmentationId, s.natEgress, s.subnetId, s.peers]), [
      [n1.uuid, '10.210.1.0/24', '10.210.1.1', 5001, true, n1.subnet_id, ['192.0.2.12', PUBLISH_IP]],
      [n2.uuid, '10.210.2.0/24', '10.210.2.1', 5002, false, n2.subnet_id, []],
    ]);
    const spec = createSpec(r);
    assert.equal(spec.network_mode, `zun-${n1.uuid}`);
    assert.deepEqual(spec.endpoints_config, { [`zun-${n1.uuid}`]: { IPAMConfig: { IPv4Address: '10.210.1.5' } } });
    assert.deepEqual((r.net.callsOf('connect')[0]?.[1] as PortSpec).fixedIp, '10.210.2.6');
    assert.deepEqual(c.addresses, { [n1.uuid]: [address(p1, n1.subnet_id)], [n2.uuid]: [address(p2, n2.subnet_id)] });
    assert.deepEqual(r.conductor.ports.map((p) => [p.status, p.host, /^02:42:/.test(p.mac_address ?? '')]), [['bound', HOST, true], ['bound', HOST, true]]);
    r.net.verify();
  });

  test('a failed connect removes the engine container and the networks the attempt made here, keeps the ports allocated and reports the failure', async () => {
    const r = rig();
    const n1 = fakeNetwork(1);
    const n2 = fakeNetwork(2);
    r.conductor.addPort(C1, n1, 5);
    r.conductor.addPort(C1, n2, 6);
    r.conductor.addPort(C2, n2, 7);
    await create(r, C2);
    r.net.failNext('connect', new NetworkDriverError('bridge refused the port'));
    await create(r, C1);

    assert.equal(r.engine.containers.has(C1), false, 'the engine container is removed');
    assert.deepEqual([...r.net.networks.keys()], [n2.uuid], 'n1 is gone from this host; n2 still holds C2');
    assert.equal(r.conductor.reports.length, 1);
    assert.match(r.conductor.reports[0]?.reason ?? '', /bridge refused the port/);
    assert.deepEqual(r.conductor.portReleases, [], 'the ports stay allocated: the container may be placed elsewhere');
    assert.deepEqual(r.conductor.ports.filter((p) => p.container_uuid === C1).map((p) => p.status), ['allocated', 'allocated']);
  });

  test('a failed pull leaves no network on this host (a rescheduled container left its network behind)', async () => {
    const r = rig();
    const n1 = fakeNetwork(1);
    r.conductor.addPort(C1, n1, 5);
    r.engine.stub('pullImage', () => Promise.reject(new ImageNotFound('Image busybox could not be found.')));
    await create(r, C1);
    assert.equal(r.conductor.reports.length, 1);
    assert.deepEqual([...r.net.networks.keys()], []);
  });

  test('a create on a network whose last container is being deleted here keeps the network (it was removed under the new container)', async () => {
    const r = rig();
    const n1 = fakeNetwork(1);
    r.conductor.addPort(C1, n1, 5);
    r.conductor.addPort(C2, n1, 6);
    await create(r, C1);
    // C2's create has made its network exist here and not yet created its engine container when C1 goes.
    const c2 = r.conductor.put(fakeContainer({ uuid: C2 }));
    const prepared = await r.networks.prepare(ctx, c2);
    await r.manager.containerDelete(ctx, { container_uuid: C1, force: true, stop: false });
    assert.deepEqual([...r.net.networks.keys()], [n1.uuid], 'the network stays for C2');
    const made = await r.engine.create(ctx, { ...createSpecOf(c2, 'busybox', HOST), ...prepared.create });
    await r.networks.plug(ctx, prepared, made.container_id);
    await r.manager.containerDelete(ctx, { container_uuid: C2, force: true, stop: false });
    assert.deepEqual([...r.net.networks.keys()], [], 'once C2 is gone too, the network goes');
  });

  test('a create attempt that gives up before its engine container existed lets the network go', async () => {
    const r = rig();
    const n1 = fakeNetwork(1);
    r.conductor.addPort(C1, n1, 5);
    const c1 = r.conductor.put(fakeContainer({ uuid: C1 }));
    const prepared = await r.networks.prepare(ctx, c1);
    await r.networks.undo(ctx, c1, prepared, null);
    await r.networks.undo(ctx, c1, prepared, null);
    assert.deepEqual([...r.net.networks.keys()], []);
  });

  test('no port: no network at all', async () => {
    const r = rig();
    const c = await create(r, C1);
    assert.equal(createSpec(r).network_mode, 'none');
    assert.deepEqual(c.addresses, {});
    assert.deepEqual(r.net.calls, []);
  });

  test('a redelivered create of a container already made changes nothing', async () => {
    const r = rig();
    r.conductor.addPort(C1, fakeNetwork(1), 5);
    const c = await create(r, C1);
    await r.manager.containerCreate(ctx, { container_uuid: C1, container: c, run: true, retry });
    assert.equal(r.engine.callsOf('create').length, 1);
    assert.deepEqual(r.conductor.row(C1).addresses, c.addresses);
  });
});

describe('ContainerNetworks: published ports', () => {
  test('exposed ports are published on a NAT network; published_ports change at each start and are empty while stopped', async () => {
    const r = rig();
    r.conductor.addPort(C1, fakeNetwork(1), 5);
    const c = await create(r, C1, { exposed_ports: { '80/tcp': {} } });
    assert.equal(createSpec(r).publish_ports, true);
    assert.deepEqual(c.published_ports, [{ port: 80, protocol: 'tcp', host_ip: PUBLISH_IP, host_port: 32768 }]);
    await r.manager.containerStop(ctx, { container_uuid: C1, timeout: 1 });
    assert.deepEqual(r.conductor.row(C1).published_ports, []);
    await r.manager.containerStart(ctx, { container_uuid: C1 });
    assert.deepEqual(r.conductor.row(C1).published_ports, [{ port: 80, protocol: 'tcp', host_ip: PUBLISH_IP, host_port: 32769 }]);
    await r.manager.containerReboot(ctx, { container_uuid: C1, timeout: 1 });
    assert.deepEqual(r.conductor.row(C1).published_ports, [{ port: 80, protocol: 'tcp', host_ip: PUBLISH_IP, host_port: 32770 }]);
  });

  test('nothing is published from an internal network (the engine cannot)', async () => {
    const r = rig();
    r.conductor.addPort(C1, fakeNetwork(1, { nat_egress: false }), 5);
    const c = await create(r, C1, { exposed_ports: { '80/tcp': {} } });
    assert.equal(createSpec(r).publish_ports, false);
    assert.deepEqual(c.published_ports, []);
  });

  test('the published address is [network] publish_ip, else underlay_ip, else 127.0.0.1', () => {
    assert.equal(publishIpOf({ publish_ip: '203.0.113.5', underlay_ip: '192.0.2.11' }), '203.0.113.5');
    assert.equal(publishIpOf({ publish_ip: '', underlay_ip: '192.0.2.11' }), '192.0.2.11');
    assert.equal(publishIpOf({ publish_ip: '', underlay_ip: '' }), '127.0.0.1');
  });
});

describe('ContainerNetworks: delete, attach, detach', () => {
  test('delete releases the ports after the engine container went, and removes a network no container uses; redelivery is harmless', async () => {
    const r = rig();
    const n1 = fakeNetwork(1);
    const n2 = fakeNetwork(2);
    r.conductor.addPort(C1, n1, 5);
    r.conductor.addPort(C1, n2, 6);
    r.conductor.addPort(C2, n1, 7);
    await create(r, C1);
    await create(r, C2);
    await r.manager.containerDelete(ctx, { container_uuid: C1, force: false, stop: true });

    assert.deepEqual(r.conductor.portReleases, [{ container_uuid: C1, port_uuid: null }]);
    assert.deepEqual(r.conductor.ports.map((p) => p.container_uuid), [C2]);
    assert.deepEqual([...r.net.networks.keys()], [n1.uuid], 'n1 still holds C2; n2 is gone');
    assert.equal(r.conductor.rows.has(C1), false);
    await r.manager.containerDelete(ctx, { container_uuid: C1, force: false, stop: true });
    assert.equal(r.conductor.portReleases.length, 1);
  });

  test('attach: network ensured, port connected and bound, addresses saved, task cleared; redelivered, nothing changes', async () => {
    const r = rig();
    const n1 = fakeNetwork(1);
    const n2 = fakeNetwork(2);
    const p1 = r.conductor.addPort(C1, n1, 5);
    await create(r, C1);
    const p2 = r.conductor.addPort(C1, n2, 9);
    r.conductor.row(C1).task_state = 'network_attaching';
    await r.manager.networkAttach(ctx, { container_uuid: C1, port_uuid: p2.uuid });

    const row = r.conductor.row(C1);
    assert.equal(row.task_state, null);
    assert.deepEqual(row.addresses, { [n1.uuid]: [address(p1, n1.subnet_id)], [n2.uuid]: [address(p2, n2.subnet_id)] });
    assert.equal(r.conductor.port(p2.uuid)?.status, 'bound');
    assert.equal(r.net.networks.get(n2.uuid)?.ports.get(row.container_id ?? '')?.ip, '10.210.2.9');
    await r.manager.networkAttach(ctx, { container_uuid: C1, port_uuid: p2.uuid });
    assert.deepEqual(r.conductor.row(C1).addresses, row.addresses);
    r.net.verify();
  });

  test('attach of a port that cannot be plugged releases it and clears the task', async () => {
    const r = rig();
    r.conductor.addPort(C1, fakeNetwork(1), 5);
    await create(r, C1);
    const p2 = r.conductor.addPort(C1, fakeNetwork(2), 9);
    r.conductor.row(C1).task_state = 'network_attaching';
    r.net.failNext('connect', new NetworkDriverError('no'));
    await r.manager.networkAttach(ctx, { container_uuid: C1, port_uuid: p2.uuid });
    assert.deepEqual(r.conductor.portReleases, [{ container_uuid: C1, port_uuid: p2.uuid }]);
    assert.equal(r.conductor.row(C1).task_state, null);
    assert.equal(Object.keys(r.conductor.row(C1).addresses ?? {}).length, 1);
  });

  test('detach: unplugged, released, its network removed here, addresses saved, task cleared; redelivered, nothing more', async () => {
    const r = rig();
    const n1 = fakeNetwork(1);
    const n2 = fakeNetwork(2);
    const p1 = r.conductor.addPort(C1, n1, 5);
    const p2 = r.conductor.addPort(C1, n2, 6);
    await create(r, C1);
    Object.assign(r.conductor.port(p2.uuid) ?? {}, { status: 'detaching' });
    r.conductor.row(C1).task_state = 'network_detaching';
    await r.manager.networkDetach(ctx, { container_uuid: C1, port_uuid: p2.uuid });

    assert.deepEqual(r.net.callsOf('disconnect').map((a) => a[1]), [n2.uuid]);
    assert.deepEqual(r.conductor.portReleases, [{ container_uuid: C1, port_uuid: p2.uuid }]);
    assert.equal(r.net.networks.has(n2.uuid), false);
    assert.deepEqual(r.conductor.row(C1).addresses, { [n1.uuid]: [address(p1, n1.subnet_id)] });
    assert.equal(r.conductor.row(C1).task_state, null);
    await r.manager.networkDetach(ctx, { container_uuid: C1, port_uuid: p2.uuid });
    assert.equal(r.conductor.portReleases.length, 1);
    assert.equal(r.net.callsOf('disconnect').length, 1);
  });
});

describe('ContainerNetworks: peers and recovery', () => {
  test('updatePeers sets the flood list of a network here; one this host does not have is left alone; a lost one of this host is made again', async () => {
    const r = rig();
    const n1 = fakeNetwork(1);
    r.conductor.addPort(C1, n1, 5);
    await create(r, C1);
    await r.manager.networkUpdatePeers(ctx, { network_uuid: n1.uuid, peers: ['192.0.2.12', '192.0.2.13'] });
    assert.deepEqual(r.net.networks.get(n1.uuid)?.spec.peers, ['192.0.2.12', '192.0.2.13']);

    const ensures = r.net.callsOf('ensureNetwork').length;
    await r.manager.networkUpdatePeers(ctx, { network_uuid: fakeNetwork(7).uuid, peers: ['192.0.2.12'] });
    assert.equal(r.net.callsOf('ensureNetwork').length, ensures, 'not on this host: nothing');

    r.net.networks.delete(n1.uuid);
    await r.manager.networkUpdatePeers(ctx, { network_uuid: n1.uuid, peers: ['192.0.2.14'] });
    assert.deepEqual(r.net.networks.get(n1.uuid)?.spec.peers, ['192.0.2.14']);
  });

  test('start-up recovery ensures every network of this host again and removes the unused ones no port needs', async () => {
    const r = rig();
    const n1 = fakeNetwork(1);
    r.conductor.addPort(C1, n1, 5);
    r.conductor.peers.set(n1.uuid, ['192.0.2.12']);
    await create(r, C1);
    const stale = { ...(r.net.networks.get(n1.uuid)?.spec as NetworkSpec), id: fakeNetwork(3).uuid, cidr: '10.210.3.0/24', gateway: '10.210.3.1', segmentationId: 5003 };
    await r.net.ensureNetwork(stale);
    const before = r.net.callsOf('ensureNetwork').length;
    await r.networks.recover(ctx);

    const again = r.net.callsOf('ensureNetwork').slice(before).map((a) => (a[0] as NetworkSpec).id);
    assert.deepEqual(again, [n1.uuid]);
    assert.deepEqual([...r.net.networks.keys()], [n1.uuid]);
  });

  test('the inventory reports [network] underlay_ip, null when unset', async () => {
    for (const [ip, expected] of [['192.0.2.11', '192.0.2.11'], ['', null]] as const) {
      const r = rig();
      const records = new ContainerRecords(r.conductor.client(HOST), HOST, silentLogger());
      await new ResourceTracker(r.engine, records, 0, silentLogger(), 0, ip || null).update(ctx);
      assert.equal(r.conductor.inventories[0]?.inventory.underlay_ip, expected);
    }
  });
});
