// Project networks across two simulated compute hosts (tools/sim-hosts: a network namespace and a dockerd
// each, joined by a bridge that plays the underlay). One VxlanNetworkDriver per host, configured to run its
// `ip`/`bridge`/`ebtables`/`iptables` commands in that host's namespace. Busybox containers prove what the
// data plane does: reachability inside a network across hosts, isolation between projects (also for a
// container that guesses the other subnet and adds a route), a shared network, NAT egress, the gateway ARP
// filter, idempotence, repair after the VXLAN device is lost, and a complete cleanup.
import { randomInt, randomUUID } from 'node:crypto';
import { type AddressInfo, createServer, type Server } from 'node:net';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type NetworkSpec, type PortSpec, PortConflict, toZunAddresses } from '@zun-ts/network-driver';
import { requireEnv, type SimHost, simHostsStatus, startSimHosts, stopSimHosts } from '@zun-ts/testing';
import { arpChainName, bridgeName, dockerNetworkName, VxlanNetworkDriver, vxlanName } from '../src';
import { dockerCli, inNetns, linkMac, linksNamed, pings, removeTestContainers, runBusybox, sh } from './sim-net';

requireEnv('ZUN_TEST_REGISTRY', '127.0.0.1:5050');

const runId = randomUUID().slice(0, 8);
const vniBase = randomInt(100_000, 16_000_000);

function net(n: number, projectId: string, opts: Partial<NetworkSpec> = {}): NetworkSpec {
  return {
    id: randomUUID(), name: `n${n}-${runId}`, projectId, cidr: `10.231.${n}.0/24`, gateway: `10.231.${n}.1`,
    subnetId: randomUUID(), shared: false, natEgress: true, segmentationId: vniBase + n, peers: [], ...opts,
  };
}
const port = (network: NetworkSpec, host: number): PortSpec => ({
  id: randomUUID(), networkId: network.id, fixedIp: network.cidr.replace(/0\/24$/, String(host)), preserveOnDelete: false,
});

describe('VXLAN project networks on two simulated hosts', { timeout: 240_000 }, () => {
  let h1: SimHost;
  let h2: SimHost;
  let startedHosts = false;
  const drivers = new Map<string, VxlanNetworkDriver>();
  const d = (h: SimHost): VxlanNetworkDriver => drivers.get(h.name) as VxlanNetworkDriver;
  let server: Server | undefined;

  const n1 = net(1, 'demo');
  const n2 = net(2, 'alt_demo');
  const shared = net(3, 'admin', { shared: true });
  const internal = net(4, 'demo', { natEgress: false });
  const all = [n1, n2, shared, internal];
  const withPeers = (s: NetworkSpec): NetworkSpec => ({ ...s, peers: [h1.address, h2.address] });

  // a1 (demo, n1) on h1, b1 (demo, n1) on h2, c2 (alt_demo, n2, NET_ADMIN) on h1, e2 (alt_demo, n2) on h2
  const pA1 = port(n1, 10);
  const pB1 = port(n1, 20);
  const pC2 = port(n2, 30);
  const pE2 = port(n2, 40);
  const ip = (p: PortSpec): string => p.fixedIp;

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test runs as root: it drives network namespaces and dockerd');
    // The hosts are machine-wide: keep any that are up (asking for fewer would remove the extra ones).
    const up = (await simHostsStatus()).filter((h) => h.state === 'up').length;
    startedHosts = up === 0;
    const hosts = await startSimHosts(Math.max(2, up));
    [h1, h2] = hosts as [SimHost, SimHost];
    for (const h of [h1, h2]) drivers.set(h.name, new VxlanNetworkDriver({ docker: h.socketPath, underlayAddress: h.address, netns: h.name }));
    await Promise.all([h1, h2].map((h) => dockerCli(h, ['pull', '-q', `${h.registry}/busybox:latest`], 120_000)));
  });

  after(async () => {
    try {
      server?.close();
      for (const h of [h1, h2]) {
        if (!h) continue;
        await removeTestContainers(h, runId).catch(() => undefined);
        for (const s of all) await d(h).deleteNetworkIfUnused(s.id).catch(() => undefined);
      }
    } finally {
      if (startedHosts) await stopSimHosts();
    }
  });

  test('ensure twice on each host: one Docker network, one bridge, one VXLAN device, one flood entry', async () => {
    for (const h of [h1, h2]) {
      for (const s of all) await d(h).ensureNetwork(withPeers(s));
      const again = await d(h).ensureNetwork(withPeers(n1));
      assert.deepEqual(again.problems, []);
      assert.deepEqual(again.peers, [h === h1 ? h2.address : h1.address], 'the own address is never a peer');
      assert.deepEqual(await linksNamed(h, vxlanName(n1.segmentationId)), [vxlanName(n1.segmentationId)]);
      assert.deepEqual(await linksNamed(h, bridgeName(n1.segmentationId)), [bridgeName(n1.segmentationId)]);
      const nets = (await dockerCli(h, ['network', 'ls', '--format', '{{.Name}}'])).split('\n');
      assert.equal(nets.filter((x) => x === dockerNetworkName(n1.id)).length, 1);
      const fdb = await inNetns(h, 'bridge', ['fdb', 'show', 'dev', vxlanName(n1.segmentationId)]);
      assert.equal(fdb.split('\n').filter((l) => l.startsWith('00:00:00:00:00:00')).length, 1, fdb);
      const mine = (await d(h).listNetworks()).filter((x) => all.some((s) => s.id === x.id));
      assert.equal(mine.length, all.length);
      assert.deepEqual(mine.flatMap((x) => x.problems), []);
    }
  });

  test('two containers of one network on different hosts reach each other; connect is idempotent', async () => {
    await Promise.all([
      runBusybox(h1, `a1-${runId}`, runId, d(h1).createNetworking(pA1)),
      runBusybox(h2, `b1-${runId}`, runId, d(h2).createNetworking(pB1)),
      runBusybox(h1, `c2-${runId}`, runId, d(h1).createNetworking(pC2), ['NET_ADMIN']),
      runBusybox(h2, `e2-${runId}`, runId, d(h2).createNetworking(pE2)),
    ]);
    assert.ok(await pings(h1, `a1-${runId}`, ip(pB1)), 'a1 (h1) → b1 (h2)');
    assert.ok(await pings(h2, `b1-${runId}`, ip(pA1)), 'b1 (h2) → a1 (h1)');
    assert.ok(await pings(h1, `c2-${runId}`, ip(pE2)), 'c2 (h1) → e2 (h2) on the other project network');
    const mtu = await sh(h1, `a1-${runId}`, 'cat /sys/class/net/eth0/mtu');
    assert.equal(mtu.out.trim(), '1450');

    const bound = await d(h1).describePort(`a1-${runId}`, pA1);
    assert.deepEqual(await d(h1).connect(`a1-${runId}`, pA1), bound, 'connect on a plugged port changes nothing');
    await assert.rejects(d(h1).connect(`a1-${runId}`, { ...pA1, fixedIp: '10.231.1.11' }), PortConflict);
    await assert.rejects(d(h1).connect(`c2-${runId}`, { ...pA1, id: randomUUID() }), PortConflict, 'an address in use');
    assert.deepEqual(toZunAddresses([bound]), {
      [n1.id]: [{ addr: ip(pA1), version: 4, port: pA1.id, subnet_id: n1.subnetId, preserve_on_delete: false }],
    });
  });

  test('the gateway answers ARP from the local bridge only; a lost filter is reported and restored', async () => {
    const gatewayMacs = async (): Promise<string[]> => {
      const out = (await sh(h1, `a1-${runId}`, `arping -b -c 3 -w 4 -I eth0 ${n1.gateway}`)).out;
      return [...new Set([...out.matchAll(/\[([0-9a-f:]{17})\]/gi)].map((m) => (m[1] ?? '').toLowerCase()))].sort();
    };
    const local = await linkMac(h1, bridgeName(n1.segmentationId));
    assert.deepEqual(await gatewayMacs(), [local]);
    // without the filters both bridges answer: the check above can fail
    await Promise.all([h1, h2].map((h) => inNetns(h, 'ebtables', ['-F', arpChainName(n1.segmentationId)])));
    const remote = await linkMac(h2, bridgeName(n1.segmentationId));
    assert.deepEqual(await gatewayMacs(), [local, remote].sort());
    const listed = (await d(h1).listNetworks()).find((x) => x.id === n1.id);
    assert.deepEqual(listed?.problems, ['the gateway ARP filter is incomplete']);
    await Promise.all([h1, h2].map((h) => d(h).ensureNetwork(withPeers(n1))));
    assert.deepEqual(await gatewayMacs(), [local]);
  });

  test('another project cannot reach the network, both ways, on one host and across hosts', async () => {
    const refused = async (h: SimHost, from: string, to: string): Promise<void> => {
      assert.equal(await pings(h, from, to, 2), false, `${from} must not reach ${to}`);
    };
    await Promise.all([
      refused(h1, `c2-${runId}`, ip(pA1)), refused(h1, `c2-${runId}`, ip(pB1)),
      refused(h2, `e2-${runId}`, ip(pA1)), refused(h2, `e2-${runId}`, ip(pB1)),
      refused(h1, `a1-${runId}`, ip(pC2)), refused(h2, `b1-${runId}`, ip(pC2)),
      refused(h2, `b1-${runId}`, ip(pE2)), refused(h1, `a1-${runId}`, ip(pE2)),
    ]);
    // c2 guesses n1's subnet: first through its own gateway, then as if it were on its own link
    for (const route of [`via ${n2.gateway}`, 'dev eth0']) {
      const r = await sh(h1, `c2-${runId}`, `ip route replace ${n1.cidr} ${route}`);
      assert.equal(r.code, 0, r.out);
      await Promise.all([refused(h1, `c2-${runId}`, ip(pA1)), refused(h1, `c2-${runId}`, ip(pB1))]);
    }
    assert.ok(await pings(h1, `c2-${runId}`, ip(pE2)), 'c2 still reaches its own network');
  });

  test('VXLAN sent by a container is dropped before it leaves the host', async () => {
    const guard = async (): Promise<number[]> =>
      (await inNetns(h1, 'iptables', ['-w', '-L', 'DOCKER-USER', '-v', '-x', '-n'])).split('\n')
        .filter((l) => /DROP/.test(l) && /udp dpt:4789/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
    const before = await guard();
    assert.equal(before.length, 1, 'one guard rule, however many networks were ensured');
    // busybox has no UDP netcat: its tftp client sends UDP to any port
    await sh(h1, `c2-${runId}`, `timeout 3 tftp -g -r x -l /dev/null ${h2.address} 4789`);
    const afterSend = await guard();
    assert.ok((afterSend[0] ?? 0) > (before[0] ?? 0), `dropped: ${String(before[0])} → ${String(afterSend[0])}`);
  });

  test('a shared network is reachable from containers of both projects', async () => {
    const sA1 = port(shared, 10);
    const sE2 = port(shared, 40);
    const [bA1, bE2] = await Promise.all([d(h1).connect(`a1-${runId}`, sA1), d(h2).connect(`e2-${runId}`, sE2)]);
    assert.equal(bA1.ip, ip(sA1));
    assert.equal(bE2.networkId, shared.id);
    assert.ok(await pings(h1, `a1-${runId}`, ip(sE2)), 'demo (h1) → alt_demo (h2) on the shared network');
    assert.ok(await pings(h2, `e2-${runId}`, ip(sA1)), 'alt_demo (h2) → demo (h1) on the shared network');
    assert.equal(await pings(h2, `e2-${runId}`, ip(pA1), 2), false, 'the shared network opens nothing else');
  });

  test('NAT egress reaches the underlay from the host address; an internal network does not', async () => {
    const seen: string[] = [];
    // busybox's wget crashes in these images; a plain TCP greeting read with nc does the job
    server = createServer((sock) => {
      seen.push(sock.remoteAddress ?? '');
      sock.end(`hello-${runId}\n`);
    });
    await new Promise<void>((resolve) => server?.listen(0, '10.99.0.1', resolve));
    const target = `10.99.0.1 ${(server.address() as AddressInfo).port}`;
    const got = await sh(h2, `b1-${runId}`, `nc -w 5 ${target} </dev/null`);
    assert.equal(got.out.trim(), `hello-${runId}`, got.out);
    assert.deepEqual(seen, [h2.address], 'masqueraded to the host\'s underlay address');

    await runBusybox(h1, `i1-${runId}`, runId, d(h1).createNetworking(port(internal, 10)));
    const blocked = await sh(h1, `i1-${runId}`, `nc -w 3 ${target} </dev/null`);
    assert.doesNotMatch(blocked.out, /hello/);
    assert.equal(seen.length, 1);
  });

  test('a lost VXLAN device (host restart) is reported, and ensure brings connectivity back; so do peers', async () => {
    await inNetns(h1, 'ip', ['link', 'del', 'dev', vxlanName(n1.segmentationId)]);
    assert.equal(await pings(h1, `a1-${runId}`, ip(pB1), 1), false);
    const listed = (await d(h1).listNetworks()).find((x) => x.id === n1.id);
    assert.match(listed?.problems.join('; ') ?? '', /VXLAN device .* is missing/);
    const repaired = await d(h1).ensureNetwork(withPeers(n1));
    assert.deepEqual(repaired.problems, []);
    assert.ok(await pings(h1, `a1-${runId}`, ip(pB1)), 'back after ensure');

    await d(h1).updatePeers(n1.id, []);
    await sh(h1, `a1-${runId}`, 'ip neigh flush all');
    assert.equal(await pings(h1, `a1-${runId}`, ip(pB1), 1), false, 'no peers, no traffic');
    await d(h1).updatePeers(n1.id, [h1.address, h2.address]);
    assert.ok(await pings(h1, `a1-${runId}`, ip(pB1)), 'back with the peer');
  });

  test('disconnect and delete leave no bridge, VXLAN device, filter or Docker network behind', async () => {
    assert.equal(await d(h1).deleteNetworkIfUnused(n1.id), false, 'a1 is still on n1');
    assert.deepEqual(await linksNamed(h1, vxlanName(n1.segmentationId)), [vxlanName(n1.segmentationId)], 'nothing removed while in use');
    for (const h of [h1, h2]) {
      const names = (await dockerCli(h, ['ps', '-aq', '--filter', `label=zun.test.vxlan=${runId}`])).split('\n').filter(Boolean);
      for (const c of names) {
        for (const s of all) {
          await d(h).disconnect(c, s.id);
          await d(h).disconnect(c, s.id); // again: nothing to do
        }
      }
      await removeTestContainers(h, runId);
      for (const s of all) {
        assert.equal(await d(h).deleteNetworkIfUnused(s.id), true);
        assert.equal(await d(h).deleteNetworkIfUnused(s.id), true, 'again: already gone');
      }
      for (const s of all) {
        assert.deepEqual(await linksNamed(h, vxlanName(s.segmentationId)), []);
        assert.deepEqual(await linksNamed(h, bridgeName(s.segmentationId)), []);
      }
      const chains = await inNetns(h, 'ebtables', ['-L']);
      for (const s of all) assert.doesNotMatch(chains, new RegExp(arpChainName(s.segmentationId)));
      const nets = await dockerCli(h, ['network', 'ls', '--format', '{{.Name}}']);
      for (const s of all) assert.doesNotMatch(nets, new RegExp(dockerNetworkName(s.id)));
      assert.deepEqual((await d(h).listNetworks()).filter((x) => all.some((s) => s.id === x.id)), []);
    }
  });
});
