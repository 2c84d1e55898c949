import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type Docker from 'dockerode';
import { InvalidNetworkSpec, NetworkConflict, type NetworkSpec, PortConflict } from '@zun-ts/network-driver';
import { HostCommandFailed, type HostCommandRunner } from './host-commands';
import { CONVERGED_TTL_MS, VxlanNetworkDriver } from './vxlan-network.driver';

const spec: NetworkSpec = {
  id: 'net-1', name: 'n1', projectId: 'demo', cidr: '10.210.1.0/24', gateway: '10.210.1.1', subnetId: 'sub-1',
  shared: false, natEgress: false, segmentationId: 4101, peers: ['10.99.0.11', '10.99.0.12', '10.99.0.12'],
};

/** A host whose tools answer from a small state: links by name, ebtables chains, flood entries. */
function fakeHost(links: Record<string, object> = {}): { run: HostCommandRunner; calls: string[] } {
  const calls: string[] = [];
  const chains = new Set<string>();
  const gone = (what: string): HostCommandFailed => new HostCommandFailed(what, `Device "${what}" does not exist.`, 1);
  const run: HostCommandRunner = async (cmd, args) => {
    const line = `${cmd} ${args.join(' ')}`;
    calls.push(line);
    if (cmd === 'ip' && args.includes('show')) {
      const name = args[args.length - 1] ?? '';
      const link = links[name];
      if (!link) throw gone(name);
      return JSON.stringify([link]);
    }
    if (cmd === 'ip' && args[1] === 'add') {
      links[args[2] ?? ''] = { ifname: args[2], mtu: 1500, flags: [], linkinfo: { info_kind: 'vxlan', info_data: { id: Number(args[6]), port: Number(args[8]), local: args[10] } } };
    }
    if (cmd === 'ip' && args[1] === 'del') delete links[args[3] ?? ''];
    if (cmd === 'ip' && args[1] === 'set') {
      const link = links[args[3] ?? ''] as { mtu?: number; master?: string; flags?: string[] } | undefined;
      if (link && args[4] === 'mtu') link.mtu = Number(args[5]);
      if (link && args[4] === 'master') link.master = args[5];
      if (link && args[4] === 'up') link.flags = [...(link.flags ?? []), 'UP'];
    }
    if (cmd === 'bridge' && args[0] === '-j') return '[]';
    if (cmd === 'ebtables' && args[0] === '-L') {
      const chain = args[1] ?? '';
      if (chain.startsWith('ZUN-') && !chains.has(chain)) throw new HostCommandFailed(line, 'Chain does not exist', 1);
      return '';
    }
    if (cmd === 'ebtables' && args[0] === '-N') chains.add(args[1] ?? '');
    return '';
  };
  return { run, calls };
}

/**
 * The few dockerode calls the driver makes, over one in-memory network: `configured` containers are on it (running
 * or not); the first `staleRemoves` removals fail as the engine does while it still lists a removed container's endpoint.
 */
function fakeDocker(existing: object | null, opts: { configured?: number; staleRemoves?: number } = {}): { docker: Docker; created: unknown[]; removed: string[]; refused: number } {
  let net = existing;
  const created: unknown[] = [];
  const removed: string[] = [];
  let stale = opts.staleRemoves ?? 0;
  const out = { docker: null as unknown as Docker, created, removed, refused: 0 };
  const docker = {
    getNetwork: (name: string) => ({
      inspect: async () => {
        if (!net) throw Object.assign(new Error('no such network'), { statusCode: 404 });
        return net;
      },
      remove: async () => {
        if (stale > 0) {
          stale--;
          out.refused++;
          throw Object.assign(new Error('error while removing network: network zun-net-1 id x has active endpoints'), { statusCode: 403 });
        }
        removed.push(name);
        net = null;
      },
    }),
    listNetworks: async () => (net ? [{ Id: (net as { Id: string }).Id }] : []),
    listContainers: async () => Array.from({ length: opts.configured ?? 0 }, (_, i) => ({ Id: `c${i}` })),
    createNetwork: async (opts: { Name: string; Labels: object; Options: object; Internal: boolean; IPAM: { Config: object[] } }) => {
      created.push(opts);
      net = { Id: 'docker-net-id', Name: opts.Name, Labels: opts.Labels, Options: opts.Options, Internal: opts.Internal, IPAM: opts.IPAM, Containers: {} };
    },
  };
  out.docker = docker as unknown as Docker;
  return out;
}

describe('VxlanNetworkDriver (host commands and engine calls)', () => {
  test('a new network: Docker bridge network, VXLAN device enslaved, ARP filter, one flood entry per other host', async () => {
    const host = fakeHost();
    const engine = fakeDocker(null);
    const driver = new VxlanNetworkDriver({ docker: engine.docker, underlayAddress: '10.99.0.11', runner: host.run });
    await driver.ensureNetwork(spec);
    const [opts] = engine.created as { Name: string; Internal: boolean; Options: Record<string, string>; Labels: Record<string, string> }[];
    assert.equal(opts?.Name, 'zun-net-1');
    assert.equal(opts?.Internal, true, 'natEgress false makes an internal network');
    assert.equal(opts?.Options['com.docker.network.bridge.name'], 'zbr-4101');
    assert.equal(opts?.Options['com.docker.network.driver.mtu'], '1450');
    assert.equal(opts?.Labels['zun.network.vni'], '4101');
    const mutating = host.calls.filter((c) => !/ -L|show/.test(c));
    assert.deepEqual(mutating, [
      'iptables -w -C DOCKER-USER -p udp --dport 4789 -j DROP',
      'ip link add zvx-4101 type vxlan id 4101 dstport 4789 local 10.99.0.11',
      'ip link set dev zvx-4101 mtu 1450',
      'ip link set dev zvx-4101 master zbr-4101',
      'ip link set dev zvx-4101 up',
      'ebtables -N ZUN-GW-4101 -P RETURN',
      'ebtables -F ZUN-GW-4101',
      'ebtables -A ZUN-GW-4101 -p ARP --arp-ip-dst 10.210.1.1 -j DROP',
      'ebtables -A ZUN-GW-4101 -p ARP --arp-ip-src 10.210.1.1 -j DROP',
      'ebtables -A INPUT -i zvx-4101 -j ZUN-GW-4101',
      'ebtables -A FORWARD -i zvx-4101 -j ZUN-GW-4101',
      'ebtables -A FORWARD -o zvx-4101 -j ZUN-GW-4101',
      'ebtables -A OUTPUT -o zvx-4101 -j ZUN-GW-4101',
      'bridge fdb append 00:00:00:00:00:00 dev zvx-4101 dst 10.99.0.12',
    ]);
  });

  test('a network converged moments ago is trusted: the next ensure reads the Docker network and the VXLAN device only', async () => {
    const host = fakeHost();
    const engine = fakeDocker(null);
    let now = 1_000_000;
    const driver = new VxlanNetworkDriver({ docker: engine.docker, underlayAddress: '10.99.0.11', runner: host.run, now: () => now });
    const first = await driver.ensureNetwork(spec);
    assert.deepEqual([first.peers, first.problems, first.segmentationId], [['10.99.0.12'], [], 4101]);
    host.calls.length = 0;
    const again = await driver.ensureNetwork(spec);
    assert.deepEqual(host.calls, ['ip -d -j link show dev zvx-4101']);
    assert.deepEqual(again, first);

    // Another peer: converged again (the flood entry added).
    host.calls.length = 0;
    await driver.ensureNetwork({ ...spec, peers: [...spec.peers, '10.99.0.13'] });
    assert.ok(host.calls.includes('bridge fdb append 00:00:00:00:00:00 dev zvx-4101 dst 10.99.0.13'), host.calls.join('\n'));
    assert.ok(host.calls.some((c) => c.startsWith('iptables')), 'every step runs again');

    // Trusted for CONVERGED_TTL_MS only.
    host.calls.length = 0;
    await driver.ensureNetwork({ ...spec, peers: [...spec.peers, '10.99.0.13'] });
    assert.equal(host.calls.length, 1);
    now += CONVERGED_TTL_MS;
    host.calls.length = 0;
    await driver.ensureNetwork({ ...spec, peers: [...spec.peers, '10.99.0.13'] });
    assert.ok(host.calls.length > 5, host.calls.join('\n'));
  });

  test('a trusted network whose VXLAN device left its bridge (the engine restarted) or is gone is converged again', async () => {
    const links: Record<string, { master?: string }> = {};
    const host = fakeHost(links);
    const engine = fakeDocker(null);
    const driver = new VxlanNetworkDriver({ docker: engine.docker, underlayAddress: '10.99.0.11', runner: host.run });
    await driver.ensureNetwork(spec);
    const dev = links['zvx-4101'];
    assert.ok(dev);
    delete dev.master;
    host.calls.length = 0;
    await driver.ensureNetwork(spec);
    assert.ok(host.calls.includes('ip link set dev zvx-4101 master zbr-4101'), host.calls.join('\n'));
    delete links['zvx-4101'];
    host.calls.length = 0;
    await driver.ensureNetwork(spec);
    assert.ok(host.calls.some((c) => c.startsWith('ip link add zvx-4101')), host.calls.join('\n'));
  });

  test('a trusted network that listNetworks finds broken (a filter flushed by hand) is converged in full by the next ensure', async () => {
    const host = fakeHost();
    const engine = fakeDocker(null);
    const driver = new VxlanNetworkDriver({ docker: engine.docker, underlayAddress: '10.99.0.11', runner: host.run });
    await driver.ensureNetwork(spec);
    // The fake lists no ebtables rules: every network it describes lacks its ARP filter.
    assert.deepEqual((await driver.listNetworks()).map((n) => n.problems), [['the gateway ARP filter is incomplete']]);
    host.calls.length = 0;
    await driver.ensureNetwork(spec);
    assert.ok(host.calls.includes('ebtables -F ZUN-GW-4101'), host.calls.join('\n'));
  });

  test('a VXLAN device with the wrong source address is replaced', async () => {
    const host = fakeHost({
      'zvx-4101': { ifname: 'zvx-4101', mtu: 1450, master: 'zbr-4101', flags: ['UP'], linkinfo: { info_kind: 'vxlan', info_data: { id: 4101, port: 4789, local: '10.99.0.99' } } },
    });
    const engine = fakeDocker(null);
    const driver = new VxlanNetworkDriver({ docker: engine.docker, underlayAddress: '10.99.0.11', runner: host.run });
    await driver.ensureNetwork(spec);
    const del = host.calls.indexOf('ip link del dev zvx-4101');
    const add = host.calls.findIndex((c) => c.startsWith('ip link add zvx-4101'));
    assert.ok(del >= 0 && add > del, host.calls.join('\n'));
  });

  test('a network in use cannot change its subnet; an unused one is not deleted while in use', async () => {
    const inUse = {
      Id: 'x', Name: 'zun-net-1', Internal: true, Labels: { 'zun.network.vni': '4101' }, Options: { 'com.docker.network.bridge.name': 'zbr-4101' },
      IPAM: { Config: [{ Subnet: '10.210.9.0/24', Gateway: '10.210.9.1' }] }, Containers: { abc: { Name: 'zun-c', IPv4Address: '10.210.9.5/24' } },
    };
    const host = fakeHost();
    const engine = fakeDocker(inUse, { configured: 1 });
    const driver = new VxlanNetworkDriver({ docker: engine.docker, underlayAddress: '10.99.0.11', runner: host.run });
    await assert.rejects(driver.ensureNetwork(spec), NetworkConflict);
    assert.equal(await driver.deleteNetworkIfUnused('net-1'), false);
    assert.deepEqual(engine.removed, []);
    assert.deepEqual(host.calls, [], 'no host command for a refused change');
  });

  test('a network left behind after its last container was removed: the endpoint the engine still lists is waited out', async () => {
    const left = {
      Id: 'x', Name: 'zun-net-1', Internal: true, Labels: { 'zun.network.vni': '4101' }, Options: { 'com.docker.network.bridge.name': 'zbr-4101' },
      IPAM: { Config: [{ Subnet: spec.cidr, Gateway: spec.gateway }] }, Containers: { gone: { Name: 'zun-c', IPv4Address: '10.210.1.5/24' } },
    };
    const engine = fakeDocker(left, { configured: 0, staleRemoves: 2 });
    const driver = new VxlanNetworkDriver({ docker: engine.docker, underlayAddress: '10.99.0.11', runner: fakeHost().run });
    assert.equal(await driver.deleteNetworkIfUnused('net-1'), true);
    assert.deepEqual([engine.refused, engine.removed], [2, ['x']]);

    const used = fakeDocker({ ...left }, { configured: 0, staleRemoves: 1000 });
    const stuck = new VxlanNetworkDriver({ docker: used.docker, underlayAddress: '10.99.0.11', runner: fakeHost().run });
    await assert.rejects(stuck.deleteNetworkIfUnused('net-1'), NetworkConflict, 'an endpoint that never goes is reported, after a bounded wait');
    assert.deepEqual(used.removed, []);
  });

  test('a bad spec is refused before anything runs', async () => {
    const host = fakeHost();
    const driver = new VxlanNetworkDriver({ docker: fakeDocker(null).docker, underlayAddress: '10.99.0.11', runner: host.run });
    await assert.rejects(driver.ensureNetwork({ ...spec, segmentationId: 0 }), InvalidNetworkSpec);
    await assert.rejects(driver.updatePeers('net-1', ['not-an-ip']), InvalidNetworkSpec);
    assert.deepEqual(host.calls, []);
  });
  test('a container not started yet is on its network with the address it was given (IPAMConfig), MAC unknown', async () => {
    const net = {
      Id: 'x', Name: 'zun-net-1', Internal: true, Labels: { 'zun.network.vni': '4101', 'zun.network.subnet_id': 'sub-1' }, Options: {},
      IPAM: { Config: [{ Subnet: spec.cidr, Gateway: spec.gateway }] }, Containers: {},
    };
    let ipAddress = '';
    const docker = {
      getNetwork: () => ({ inspect: async () => net }),
      getContainer: () => ({
        inspect: async () => ({ Id: 'cid', NetworkSettings: { Networks: { 'zun-net-1': { IPAddress: ipAddress, MacAddress: '', IPAMConfig: { IPv4Address: '10.210.1.5' } } } } }),
      }),
    } as unknown as Docker;
    const driver = new VxlanNetworkDriver({ docker, underlayAddress: '10.99.0.11', runner: fakeHost().run });
    const port = { id: 'port-1', networkId: 'net-1', fixedIp: '10.210.1.5', preserveOnDelete: false };
    const b = await driver.describePort('cid', port);
    assert.deepEqual([b.ip, b.macAddress, b.subnetId, b.containerId], ['10.210.1.5', '', 'sub-1', 'cid']);
    ipAddress = '10.210.1.6';
    await assert.rejects(driver.describePort('cid', port), PortConflict, 'the running address wins over the requested one');
  });
});
