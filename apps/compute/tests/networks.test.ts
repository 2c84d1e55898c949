import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { adminContext } from '@zun-ts/common';
import { type DockerContainerDriver } from '@zun-ts/compute-driver-docker';
import { defaultConf } from '@zun-ts/config';
import { VxlanNetworkDriver } from '@zun-ts/network-driver-vxlan';
import { type Container, type Network } from '@zun-ts/objects';
import { type BuildRetry } from '@zun-ts/rpc';
import { ComputeManager } from '../src/compute.manager';
import { fakeContainer, type FakeConductor, fakeNetwork } from './fixtures/fake-conductor';
import { type ComputeHost, computeHost, testEngine } from './fixtures/compute-host';

// Project networks of containers on the stack's real engine with the real VXLAN driver, one host and no underlay
// (its VXLAN devices send from loopback and have no peers), the conductor in memory. Run as root: the driver
// makes links and filter rules in this network namespace, which the engine shares.
const HOST = 'net-test-host';
const LABEL = 'zun-ts.test';
const runId = `compute-networks-${process.pid}`;
const ctx = adminContext('req-networks-it');
const retry: BuildRetry = { request: { container_uuid: 'x', run: true, hints: {}, availability_zone: null, requested_host: null }, attempt: 1, hosts: [HOST] };

let engine: DockerContainerDriver;
let driver: VxlanNetworkDriver;
let conductor: FakeConductor;
let manager: ComputeManager;
const octet = randomInt(0, 200);
const vni = randomInt(100_000, 16_000_000);
const nets: Network[] = [0, 1].map((i) =>
  fakeNetwork(i + 1, {
    uuid: randomUUID(), name: `${runId}-${i}`, cidr: `10.23${i}.${octet}.0/24`, gateway: `10.23${i}.${octet}.1`, subnet_id: randomUUID(),
    segmentation_id: vni + i, nat_egress: true,
  }),
);
const [netA, netB] = nets as [Network, Network];

before(() => {
  if (process.getuid?.() !== 0) throw new Error('apps/compute/tests/networks.test.ts makes links and filter rules and must run as root');
  engine = testEngine(60_000);
  driver = new VxlanNetworkDriver({ docker: engine.socketPath, underlayAddress: '127.0.0.1' });
  const h = computeHost(HOST, engine, { network: driver });
  conductor = h.conductor;
  const ops = h.ops;
  manager = new ComputeManager(defaultConf({ DEFAULT: { host: HOST } }), engine, ops);
});

after(async () => {
  for (const c of conductor ? [...conductor.rows.keys()] : []) await engine.delete(ctx, c, { force: true }).catch(() => undefined);
  for (const n of nets) await driver?.deleteNetworkIfUnused(n.uuid).catch(() => undefined);
  await engine?.close();
});

/** Creates and runs a busybox container of this host with a port on `network` at `.<hostPart>`. */
async function run(network: Network, hostPart: number, patch: Partial<Container> = {}): Promise<Container> {
  const uuid = randomUUID();
  conductor.put(fakeContainer({
    uuid, name: `net-${uuid.slice(0, 8)}`, command: ['sleep', '3600'], labels: { [LABEL]: runId }, memory: '64', host: HOST, ...patch,
  }));
  conductor.addPort(uuid, network, hostPart);
  await manager.containerCreate(ctx, { container_uuid: uuid, container: conductor.row(uuid), run: true, retry });
  const row = conductor.row(uuid);
  assert.equal(row.status, 'Running', `${row.status}: ${row.status_reason ?? conductor.reports.map((r) => r.reason).join('; ')}`);
  return row;
}

async function pings(from: Container, ip: string): Promise<boolean> {
  const r = await engine.execute(ctx, from.uuid, { command: ['sh', '-c', `for i in 1 2 3; do ping -c 1 -W 1 ${ip} >/dev/null 2>&1 && exit 0; done; exit 1`], run: true });
  return r.exit_code === 0;
}

const ipOf = (c: Container, n: Network): string => c.addresses?.[n.uuid]?.[0]?.addr ?? '';

void describe('project networks on the real engine (VXLAN driver, one host)', { timeout: 240_000 }, () => {
  let a1: Container;
  let a2: Container;
  let b1: Container;

  void test('two containers of one network reach each other by address; a container of another network cannot', async () => {
    a1 = await run(netA, 10);
    a2 = await run(netA, 11);
    b1 = await run(netB, 10);
    const port = conductor.ports.find((p) => p.container_uuid === a1.uuid);
    assert.deepEqual(a1.addresses, {
      [netA.uuid]: [{ addr: `10.230.${octet}.10`, version: 4, port: port?.uuid, subnet_id: netA.subnet_id, preserve_on_delete: false }],
    });
    assert.ok(await pings(a1, ipOf(a2, netA)), 'a1 → a2');
    assert.ok(await pings(a2, ipOf(a1, netA)), 'a2 → a1');
    assert.equal(await pings(b1, ipOf(a1, netA)), false, 'b1 (other network) → a1');
    const mtu = await engine.execute(ctx, a1.uuid, { command: ['cat', '/sys/class/net/eth0/mtu'], run: true });
    assert.equal(mtu.output?.trim(), '1450');
    assert.match(port?.mac_address ?? '', /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'the MAC is recorded once the container runs');
  });

  void test('an exposed port is published on the host at the port the engine picked', async () => {
    const web = await run(netA, 20, {
      command: ['sh', '-c', 'mkdir -p /www && echo hello-zun > /www/index.html && exec httpd -f -p 80 -h /www'],
      exposed_ports: { '80/tcp': {} },
    });
    const [pub] = web.published_ports ?? [];
    assert.ok(pub, 'published_ports is set');
    assert.deepEqual([pub.port, pub.protocol, pub.host_ip], [80, 'tcp', '127.0.0.1']);
    assert.ok(pub.host_port > 0);
    let body = '';
    for (let i = 0; i < 20 && !body; i++) {
      body = await fetch(`http://${pub.host_ip}:${pub.host_port}/`).then((r) => r.text()).catch(() => '');
      if (!body) await new Promise((res) => setTimeout(res, 250));
    }
    assert.equal(body.trim(), 'hello-zun');
    await manager.containerDelete(ctx, { container_uuid: web.uuid, force: true, stop: false });
  });

  void test('delete removes the Docker network of this host once no container uses it', async () => {
    const names = async (): Promise<string[]> => (await driver.listNetworks()).map((n) => n.id).filter((id) => nets.some((n) => n.uuid === id)).sort();
    assert.deepEqual(await names(), [netA.uuid, netB.uuid].sort());
    await manager.containerDelete(ctx, { container_uuid: a1.uuid, force: true, stop: false });
    assert.deepEqual(await names(), [netA.uuid, netB.uuid].sort(), 'a2 still uses network A');
    await manager.containerDelete(ctx, { container_uuid: a2.uuid, force: true, stop: false });
    await manager.containerDelete(ctx, { container_uuid: b1.uuid, force: true, stop: false });
    assert.deepEqual(await names(), []);
    assert.deepEqual(conductor.ports, []);
    assert.equal(conductor.rows.size, 0);
  });
});

void describe('networks kept set up after their last container (idle_network_timeout)', { timeout: 120_000 }, () => {
  const IDLE_HOST = 'net-idle-host';
  // Networks of their own (segments and subnets no other test here uses).
  const idleNets = [2, 3, 4].map((i) =>
    fakeNetwork(i + 1, {
      uuid: randomUUID(), name: `${runId}-idle-${i}`, cidr: `10.23${i}.${octet}.0/24`, gateway: `10.23${i}.${octet}.1`, subnet_id: randomUUID(),
      segmentation_id: vni + i, nat_egress: true,
    }),
  );
  const [netC, netD] = idleNets as [Network, Network, Network];
  let host: ComputeHost;
  let idleManager: ComputeManager;
  const here = async (ids: string[]): Promise<string[]> => (await driver.listNetworks()).map((n) => n.id).filter((id) => ids.includes(id)).sort();

  before(() => {
    host = computeHost(IDLE_HOST, engine, { network: driver }, { idleMs: 1500 });
    idleManager = new ComputeManager(defaultConf({ DEFAULT: { host: IDLE_HOST } }), engine, host.ops);
  });
  after(async () => {
    for (const c of [...host.conductor.rows.keys()]) await engine.delete(ctx, c, { force: true }).catch(() => undefined);
    for (const n of idleNets) await driver.deleteNetworkIfUnused(n.uuid).catch(() => undefined);
  });

  async function runHere(network: Network, hostPart: number): Promise<Container> {
    const uuid = randomUUID();
    host.conductor.put(fakeContainer({ uuid, name: `idle-${uuid.slice(0, 8)}`, command: ['sleep', '3600'], labels: { [LABEL]: runId }, memory: '64', host: IDLE_HOST }));
    host.conductor.addPort(uuid, network, hostPart);
    await idleManager.containerCreate(ctx, { container_uuid: uuid, container: host.conductor.row(uuid), run: true, retry });
    const row = host.conductor.row(uuid);
    assert.equal(row.status, 'Running', row.status_reason ?? '');
    return row;
  }
  const deleteHere = (c: Container): Promise<void> => idleManager.containerDelete(ctx, { container_uuid: c.uuid, force: true, stop: false });

  void test('the network of the last container deleted stays for the timeout (the next container finds it made), then goes; stopping removes what is kept', async () => {
    await deleteHere(await runHere(netC, 10));
    assert.deepEqual(await here([netC.uuid]), [netC.uuid], 'kept after its last container');
    const again = await runHere(netC, 11);
    await deleteHere(again);
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(await here([netC.uuid]), [], 'removed once idle for the timeout');
    await deleteHere(await runHere(netC, 12));
    assert.deepEqual(await here([netC.uuid]), [netC.uuid]);
    await host.networks.dropIdle(ctx);
    assert.deepEqual(await here([netC.uuid]), [], 'zun-compute stopping removes the networks it kept');
  });

  void test('a kept network deleted in the cloud gives way to a new network given its segment and subnet (regression: the engine refused the overlapping subnet)', async () => {
    await deleteHere(await runHere(netD, 10));
    assert.deepEqual(await here([netD.uuid]), [netD.uuid]);
    const successor = { ...netD, id: 99, uuid: randomUUID(), name: `${runId}-successor` };
    const c = await runHere(successor, 20);
    assert.deepEqual(await here([netD.uuid, successor.uuid]), [successor.uuid]);
    await deleteHere(c);
    await host.networks.dropIdle(ctx);
  });
});
