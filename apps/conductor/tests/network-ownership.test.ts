// Networks across a real RPC hop: a ConductorManager on a real database (SQLite, then MariaDB), served on a real
// Redis, called by compute clients whose transports declare host A or host B, and a compute server on B's topic that
// records the peer updates it is cast. A host reads, saves and releases the ports of its own containers (seeing the
// other host's underlay address as its peer), is refused those of the other host, and a host leaving a network
// tells the hosts still on it.
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext, ContainerNotFound, PortNotFound } from '@zun-ts/common';
import { type Database, type QuotaLimits } from '@zun-ts/db';
import { type Container, type Network } from '@zun-ts/objects';
import { COMPUTE, type ConductorClient, RpcServer, unimplemented } from '@zun-ts/rpc';
import { requireEnv, sleep, uniqueName, waitFor } from '@zun-ts/testing';
import { type ConductorOnBus, conductorOnBus } from './fixtures/conductor-manager';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');
const UNLIMITED: QuotaLimits = { containers: -1, memory: -1, cpu: -1, disk: -1 };
const ONE = { containers: 1, memory: 0, cpu: 0, disk: 0 };
const UNDERLAY_A = '192.0.2.10';
const UNDERLAY_B = '192.0.2.20';

for (const engine of ['sqlite', 'mariadb'] as const) {
  describe(`networks over RPC on ${engine}: a compute host acts on the ports of its own containers only`, () => {
    const hostA = uniqueName('cna');
    const hostB = uniqueName('cnb');
    /** What B's compute topic was cast. */
    const toB: Array<{ network_uuid: string; peers: string[] }> = [];
    let bus: ConductorOnBus;
    let db: Database;
    let asA: ConductorClient;
    let asB: ConductorClient;
    let net: Network;
    let ofA: Container;
    let ofB: Container;
    let portOfA: string;
    let portOfB: string;

    /** A container on `host` with one port on `net`, its address allocated there (as a build does). */
    async function containerOn(host: string): Promise<{ c: Container; port: string }> {
      const uuid = randomUUID();
      const port = randomUUID();
      const c = await db.quotas.createContainer({ uuid, status: 'Creating', name: `of-${host}`, project_id: 'p', user_id: 'u', image: 'busybox', host },
        ONE, UNLIMITED, undefined, { ports: [{ port_uuid: port, network_uuid: net.uuid, requested_ip: null }] });
      await db.networks.allocatePorts(uuid, host);
      return { c, port };
    }

    before(async () => {
      bus = await conductorOnBus(redisUrl, 'net', engine);
      db = bus.db;
      await new RpcServer(bus.connect(hostB)).serve(COMPUTE, {
        ...unimplemented(COMPUTE),
        networkUpdatePeers: async (_ctx, args) => void toB.push(args),
      }, { host: hostB });
      asA = bus.as(hostA);
      asB = bus.as(hostB);
      await db.computeNodes.upsertFromTracker(hostA, { underlay_ip: UNDERLAY_A });
      await db.computeNodes.upsertFromTracker(hostB, { underlay_ip: UNDERLAY_B });
      net = await db.networks.create({ uuid: randomUUID(), name: 'net', project_id: 'p', cidr: '10.77.0.0/24', gateway: '10.77.0.1' });
      ({ c: ofA, port: portOfA } = await containerOn(hostA));
      ({ c: ofB, port: portOfB } = await containerOn(hostB));
    });

    after(() => bus?.close());

    test('host A reads its container\'s port with B\'s underlay address as peer; B\'s container is ContainerNotFound', async () => {
      const ctx = adminContext();
      const ports = await asA.call('containerNetworks', ctx, { container_uuid: ofA.uuid });
      assert.deepEqual(ports.map((p) => [p.port.uuid, p.network.uuid, p.network.cidr, p.port.host, p.peers]),
        [[portOfA, net.uuid, '10.77.0.0/24', hostA, [UNDERLAY_B]]]);
      assert.match(ports[0]?.port.fixed_ip ?? '', /^10\.77\.0\.\d+$/);
      await assert.rejects(asA.call('containerNetworks', ctx, { container_uuid: ofB.uuid }), ContainerNotFound);
      await assert.rejects(asB.call('containerNetworks', ctx, { container_uuid: ofA.uuid }), ContainerNotFound);
      assert.deepEqual((await asA.call('networksOnHost', ctx, {})).map((h) => [h.network.uuid, h.peers]), [[net.uuid, [UNDERLAY_B]]]);
      assert.deepEqual((await asB.call('networksOnHost', ctx, {})).map((h) => [h.network.uuid, h.peers]), [[net.uuid, [UNDERLAY_A]]]);
    });

    test('host A saves its port (again: the same); B is refused A\'s port, which stays as it was', async () => {
      const ctx = adminContext();
      const patch = { mac_address: '02:42:0a:4d:00:02', status: 'bound' as const };
      for (let i = 0; i < 2; i++) {
        const saved = await asA.call('portSave', ctx, { port_uuid: portOfA, patch });
        assert.deepEqual([saved.uuid, saved.mac_address, saved.status, saved.host], [portOfA, patch.mac_address, 'bound', hostA]);
      }
      await assert.rejects(asB.call('portSave', ctx, { port_uuid: portOfA, patch: { mac_address: 'aa:aa:aa:aa:aa:aa', status: 'allocated' } }),
        (e: unknown) => e instanceof PortNotFound && e.message === `Port ${portOfA} could not be found.`);
      const row = await db.networks.getPort(portOfA);
      assert.deepEqual([row.mac_address, row.status], [patch.mac_address, 'bound']);
      // The port became bound on A: B, on the same network, hears of A once (the second save found it bound).
      await waitFor(() => toB.length > 0, { timeoutMs: 5_000, what: 'networkUpdatePeers on host B' });
      await sleep(300);
      assert.deepEqual(toB, [{ network_uuid: net.uuid, peers: [UNDERLAY_A] }]);
      toB.length = 0;
    });

    test('host B cannot release A\'s container\'s ports; they stay and no one is told', async () => {
      const ctx = adminContext();
      await asB.call('portRelease', ctx, { container_uuid: ofA.uuid, port_uuid: null });
      await asB.call('portRelease', ctx, { container_uuid: ofA.uuid, port_uuid: portOfA });
      assert.equal((await db.networks.getPort(portOfA)).uuid, portOfA);
      await sleep(300);
      assert.deepEqual(toB, []);
    });

    test('host A releases its port; B, still on the network, is cast its new peer list once', async () => {
      const ctx = adminContext();
      await asA.call('portRelease', ctx, { container_uuid: ofA.uuid, port_uuid: portOfA });
      await assert.rejects(db.networks.getPort(portOfA), PortNotFound);
      await waitFor(() => toB.length > 0, { timeoutMs: 5_000, what: 'networkUpdatePeers on host B' });
      assert.deepEqual(toB, [{ network_uuid: net.uuid, peers: [] }]);
      await asA.call('portRelease', ctx, { container_uuid: ofA.uuid, port_uuid: portOfA });
      await asA.call('portRelease', ctx, { container_uuid: ofA.uuid, port_uuid: null });
      await sleep(300);
      assert.equal(toB.length, 1, 'a redelivered release tells no one again');
      assert.deepEqual(await asA.call('networksOnHost', ctx, {}), []);
      assert.deepEqual((await asB.call('networksOnHost', ctx, {})).map((h) => [h.network.uuid, h.peers]), [[net.uuid, []]]);
      assert.equal((await db.networks.getPort(portOfB)).host, hostB);
    });
  });
}
