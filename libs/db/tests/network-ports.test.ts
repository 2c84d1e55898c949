import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Conflict, InvalidValue, IpAddressInUse, ipv4ToInt, NetworkExhausted, NetworkNotFound, PortNotFound } from '@zun-ts/common';
import { type DataSource } from 'typeorm';
import { Database, OverQuota, type PortWithNetwork, type QuotaLimits } from '../src';
import { openDataSource } from '../src/database';
import { newContainer } from './fixtures/containers';
import { createWithPorts, newNetwork, plannedPort } from './fixtures/networks';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const ONE_CONTAINER: QuotaLimits = { containers: 1, memory: -1, cpu: -1, disk: -1 };
const summary = (ports: PortWithNetwork[]) => ports.map(({ port }) => ({ ip: port.fixed_ip, status: port.status, host: port.host }));

for (const engine of ENGINES) {
  describeOn(engine, `network ports on ${engine}`, () => {
    let t: TestDb;
    let db: Database;
    let other: Database;
    let net = 0;
    const project = (): string => `p-${randomUUID().slice(0, 8)}`;
    /** A fresh /24 (or `prefix`) network of its own in 10.50.0.0/16. */
    const network = (projectId: string, prefix = 24) => db.networks.create(newNetwork(`10.50.${net++}.0/${prefix}`, { project_id: projectId, name: `net${net}` }));

    let raw: DataSource;
    /** Every port row of the network, whoever owns it. */
    const countPorts = async (networkUuid: string): Promise<number> => {
      const [row] = (await raw.query('SELECT COUNT(*) AS n FROM network_port WHERE network_uuid = ?', [networkUuid])) as { n: unknown }[];
      return Number(row?.n);
    };

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url);
      await db.migrate();
      other = await Database.open(t.url);
      raw = (await openDataSource(t.url)).ds;
    });
    after(async () => {
      await raw?.destroy();
      await other?.close();
      await db?.close();
      await t?.drop();
    });

    void test('createContainer writes the planned ports pending, in order, in its transaction', async () => {
      const p = project();
      const [a, b] = [await network(p), await network(p)];
      const plan = [plannedPort(a.uuid), plannedPort(b.uuid, `${b.cidr.split('.').slice(0, 3).join('.')}.9`)];
      const c = await createWithPorts(db, p, plan);
      const ports = await db.networks.portsOf(c.uuid);
      assert.deepEqual(
        ports.map(({ port, network: n }) => [port.uuid, n.uuid, port.device_index, port.status, port.fixed_ip, port.requested_ip, port.project_id, port.host]),
        plan.map((pp, i) => [pp.port_uuid, pp.network_uuid, i, 'pending', null, pp.requested_ip, p, null]),
      );
    });

    void test('a refused create writes neither the container nor its ports', async () => {
      const p = project();
      const n = await network(p);
      await createWithPorts(db, p, [plannedPort(n.uuid)]);
      const refused = { ...newContainer(), project_id: p };
      await assert.rejects(
        db.quotas.createContainer(refused, { containers: 1, cpu: 0, memory: 0, disk: 0 }, ONE_CONTAINER, undefined, { ports: [plannedPort(n.uuid)] }),
        OverQuota,
      );
      await assert.rejects(createWithPorts(db, p, [plannedPort(n.uuid), plannedPort(randomUUID())]), NetworkNotFound);
      await assert.rejects(createWithPorts(db, p, [plannedPort(n.uuid), plannedPort(n.uuid)]), Conflict);
      assert.equal((await db.quotas.usage(p)).containers, 1);
      assert.equal(await countPorts(n.uuid), 1);
    });

    void test('allocatePorts: 30 containers on one /24 over two connections get 30 distinct host addresses', async () => {
      const p = project();
      const n = await network(p);
      const containers = [];
      for (let i = 0; i < 30; i++) containers.push(await createWithPorts(db, p, [plannedPort(n.uuid)]));
      const got = await Promise.all(containers.map((c, i) => (i % 2 ? other : db).networks.allocatePorts(c.uuid, `host-${i % 3}`)));
      const ips = got.map((ports) => ports[0]!.port.fixed_ip!);
      assert.equal(new Set(ips).size, 30);
      const base = ipv4ToInt(n.cidr.split('/')[0]!)!;
      for (const ip of ips) {
        const off = ipv4ToInt(ip)! - base;
        assert.ok(off >= 2 && off <= 254, `${ip} is not a usable, non-gateway address of ${n.cidr}`);
      }
      // The lowest free ones: .2 … .31.
      assert.deepEqual(ips.map((ip) => ipv4ToInt(ip)! - base).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 2));
      for (const [i, ports] of got.entries()) assert.deepEqual([ports[0]!.port.status, ports[0]!.port.host], ['allocated', `host-${i % 3}`]);
    });

    void test('a /29 holds 5 ports besides its gateway: the sixth is NetworkExhausted and its container keeps nothing', async () => {
      const p = project();
      const roomy = await network(p);
      const small = await network(p, 29);
      const five = [];
      for (let i = 0; i < 5; i++) five.push(await createWithPorts(db, p, [plannedPort(small.uuid)]));
      const sixth = await createWithPorts(db, p, [plannedPort(roomy.uuid), plannedPort(small.uuid)]);
      const all = await Promise.allSettled([...five, sixth].map((c, i) => (i % 2 ? other : db).networks.allocatePorts(c.uuid, 'h')));
      const failed = all.filter((r) => r.status === 'rejected');
      assert.equal(failed.length, 1);
      const reason = (failed[0] as PromiseRejectedResult).reason as unknown;
      assert.ok(reason instanceof NetworkExhausted);
      assert.equal(reason.message, `No more IP addresses available on network ${small.name} (${small.cidr}).`);
      const ok = all.flatMap((r) => (r.status === 'fulfilled' ? [r.value.at(-1)!.port.fixed_ip] : []));
      const base = ipv4ToInt(small.cidr.split('/')[0]!)!;
      // Which container loses the race differs; the addresses never do.
      assert.deepEqual(ok.map((ip) => ipv4ToInt(ip!)! - base).sort((x, y) => x - y), [2, 3, 4, 5, 6]);
      const loser = all.findIndex((r) => r.status === 'rejected');
      const loserUuid = [...five, sixth][loser]!.uuid;
      assert.ok((await db.networks.portsOf(loserUuid)).every(({ port }) => port.status === 'pending' && port.fixed_ip === null && port.host === null));
    });

    void test('a requested address: granted when free, IpAddressInUse when taken or the gateway, InvalidValue outside the subnet', async () => {
      const p = project();
      const n = await network(p);
      const prefix = n.cidr.split('.').slice(0, 3).join('.');
      const a = await createWithPorts(db, p, [plannedPort(n.uuid, `${prefix}.7`)]);
      assert.equal((await db.networks.allocatePorts(a.uuid, 'h1'))[0]!.port.fixed_ip, `${prefix}.7`);
      const b = await createWithPorts(db, p, [plannedPort(n.uuid, `${prefix}.7`)]);
      await assert.rejects(db.networks.allocatePorts(b.uuid, 'h1'), (e: unknown) => {
        assert.ok(e instanceof IpAddressInUse);
        assert.equal(e.status, 409);
        assert.equal(e.message, `IP address ${prefix}.7 is already in use on network ${n.name}.`);
        return true;
      });
      assert.equal((await db.networks.portsOf(b.uuid))[0]!.port.status, 'pending');
      const gw = await createWithPorts(db, p, [plannedPort(n.uuid, n.gateway)]);
      await assert.rejects(db.networks.allocatePorts(gw.uuid, 'h1'), IpAddressInUse);
      const out = await createWithPorts(db, p, [plannedPort(n.uuid, '192.0.2.9')]);
      await assert.rejects(db.networks.allocatePorts(out.uuid, 'h1'), InvalidValue);
      // Without a request, the lowest free address skips the taken one.
      const c = await createWithPorts(db, p, [plannedPort(n.uuid)]);
      assert.equal((await db.networks.allocatePorts(c.uuid, 'h1'))[0]!.port.fixed_ip, `${prefix}.2`);
    });

    void test('allocatePorts is idempotent: a second call keeps the addresses and moves the host', async () => {
      const p = project();
      const [a, b] = [await network(p), await network(p)];
      const c = await createWithPorts(db, p, [plannedPort(a.uuid), plannedPort(b.uuid)]);
      const first = await db.networks.allocatePorts(c.uuid, 'h1');
      assert.deepEqual(await db.networks.allocatePorts(c.uuid, 'h1'), first);
      await db.networks.updatePort(first[0]!.port.uuid, { status: 'bound', mac_address: '02:42:ac:11:00:02' });
      assert.equal((await db.networks.allocatePorts(c.uuid, 'h1'))[0]!.port.status, 'bound');
      const moved = await db.networks.allocatePorts(c.uuid, 'h2');
      assert.deepEqual(summary(moved), first.map(({ port }) => ({ ip: port.fixed_ip, status: 'allocated', host: 'h2' })));
      assert.deepEqual(await db.networks.allocatePorts(randomUUID(), 'h1'), []);
    });

    void test('addPort: the lowest free or the requested address, the next device_index; twice on one network is a Conflict', async () => {
      const p = project();
      const [a, b, d] = [await network(p), await network(p), await network(p)];
      const prefix = (cidr: string): string => cidr.split('.').slice(0, 3).join('.');
      const c = await createWithPorts(db, p, [plannedPort(a.uuid)]);
      await db.networks.allocatePorts(c.uuid, 'h1');
      const req = { port_uuid: randomUUID(), container_uuid: c.uuid, project_id: p, network_uuid: b.uuid, requested_ip: null, host: 'h1' };
      const added = await db.networks.addPort(req);
      assert.deepEqual([added.port.fixed_ip, added.port.device_index, added.port.status, added.port.host, added.network.uuid], [`${prefix(b.cidr)}.2`, 1, 'allocated', 'h1', b.uuid]);
      assert.deepEqual(await db.networks.addPort(req), added, 'a redelivered attach returns the same port');
      const withIp = await db.networks.addPort({ ...req, port_uuid: randomUUID(), network_uuid: d.uuid, requested_ip: `${prefix(d.cidr)}.77` });
      assert.deepEqual([withIp.port.fixed_ip, withIp.port.device_index], [`${prefix(d.cidr)}.77`, 2]);
      await assert.rejects(db.networks.addPort({ ...req, port_uuid: randomUUID() }), (e: unknown) => {
        assert.ok(e instanceof Conflict);
        assert.equal(e.message, `Container ${c.uuid} is already connected to network ${b.name}.`);
        return true;
      });
      const e2 = await createWithPorts(db, p, []);
      await assert.rejects(db.networks.addPort({ ...req, port_uuid: randomUUID(), container_uuid: e2.uuid, network_uuid: d.uuid, requested_ip: `${prefix(d.cidr)}.77` }), IpAddressInUse);
      await assert.rejects(db.networks.addPort({ ...req, port_uuid: randomUUID(), network_uuid: randomUUID() }), NetworkNotFound);
      assert.deepEqual((await db.networks.portsOf(c.uuid)).map(({ port }) => port.device_index), [0, 1, 2]);
      assert.deepEqual((await db.networks.portsOf(e2.uuid)), []);
    });

    void test('getPort, updatePort, deletePort and releasePorts; a container delete takes its ports', async () => {
      const p = project();
      const [a, b] = [await network(p), await network(p)];
      const c = await createWithPorts(db, p, [plannedPort(a.uuid), plannedPort(b.uuid)]);
      const [pa, pb] = await db.networks.allocatePorts(c.uuid, 'h1');
      const bound = await db.networks.updatePort(pa!.port.uuid.toUpperCase(), { status: 'bound', mac_address: '02:00:00:00:00:01' });
      assert.deepEqual([bound.status, bound.mac_address, bound.fixed_ip], ['bound', '02:00:00:00:00:01', pa!.port.fixed_ip]);
      await assert.rejects(db.networks.updatePort(randomUUID(), { status: 'bound' }), PortNotFound);
      assert.deepEqual(await db.networks.getPort(pa!.port.uuid.toUpperCase()), bound);
      const absent = randomUUID();
      await assert.rejects(db.networks.getPort(absent), (e: unknown) => e instanceof PortNotFound && e.message === `Port ${absent} could not be found.`);
      await assert.rejects(db.networks.updatePort(pa!.port.uuid, { status: 'lost' as never }), InvalidValue);
      await db.networks.deletePort(pb!.port.uuid);
      await db.networks.deletePort(pb!.port.uuid);
      assert.deepEqual((await db.networks.portsOf(c.uuid)).map(({ port }) => port.uuid), [pa!.port.uuid]);
      assert.deepEqual((await db.networks.releasePorts(c.uuid)).map((n) => n.uuid), [a.uuid]);
      assert.deepEqual(await db.networks.releasePorts(c.uuid), []);
      // The address is free again.
      const again = await createWithPorts(db, p, [plannedPort(a.uuid)]);
      assert.equal((await db.networks.allocatePorts(again.uuid, 'h1'))[0]!.port.fixed_ip, pa!.port.fixed_ip);
      await db.containers.destroy(again.uuid);
      assert.deepEqual(await db.networks.portsOf(again.uuid), []);
      await db.networks.destroy(a.uuid);
    });
  });
}
