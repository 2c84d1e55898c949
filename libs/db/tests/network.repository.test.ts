import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { cidrsOverlap, Conflict, InvalidValue, NetworkCidrConflict, NetworkExhausted, NetworkInUse, NetworkNotFound } from '@zun-ts/common';
import { Database, type NetworkScope } from '../src';
import { openDataSource } from '../src/database';
import { ALL_NETWORKS, createWithPorts, newNetwork, plannedPort } from './fixtures/networks';
import { createTestDb, describeOn, ENGINES, type TestDb, undoMigrationsThrough } from './test-databases';

for (const engine of ENGINES) {
  describeOn(engine, `NetworkRepository on ${engine}`, () => {
    let t: TestDb;
    let db: Database;
    let other: Database;
    const project = (): string => `p-${randomUUID().slice(0, 8)}`;
    const mine = (projectId: string): NetworkScope => ({ projectId, allProjects: false });

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url);
      await db.migrate();
      other = await Database.open(t.url);
    });
    after(async () => {
      await other?.close();
      await db?.close();
      await t?.drop();
    });

    void test('create fills the defaults and allocates distinct segmentation ids; lookups by uuid, name and ident', async () => {
      const a = await db.networks.create(newNetwork('172.16.0.0/24', { name: 'front' }));
      assert.ok(a.id > 0);
      assert.equal(a.gateway, '172.16.0.1');
      assert.equal(a.shared, false);
      assert.equal(a.nat_egress, true);
      assert.equal(a.is_default, false);
      assert.equal(a.driver, 'vxlan');
      assert.match(a.subnet_id, /^[0-9a-f-]{36}$/);
      assert.equal('default_project' in a, false);
      const made = await Promise.all(['172.16.1.0/24', '172.16.2.0/24', '172.16.3.0/24'].map((c, i) => (i % 2 ? other : db).networks.create(newNetwork(c))));
      const segs = [a, ...made].map((n) => n.segmentation_id);
      assert.equal(new Set(segs).size, 4);
      assert.ok(segs.every((s) => s >= 1));
      assert.deepEqual(await db.networks.getByUuid(mine('p1'), a.uuid.toUpperCase()), a);
      assert.deepEqual(await db.networks.getByName(mine('p1'), 'front'), a);
      assert.deepEqual(await db.networks.getByIdent(mine('p1'), a.uuid), a);
      assert.deepEqual(await db.networks.getByIdent(mine('p1'), 'front'), a);
      await assert.rejects(db.networks.create(newNetwork('172.16.9.0/24', { uuid: a.uuid })), Conflict);
      await assert.rejects(db.networks.create(newNetwork('172.16.10.0/24', { segmentation_id: a.segmentation_id })), Conflict);
      await assert.rejects(db.networks.create(newNetwork('172.16.11.5/24')), InvalidValue);
      await assert.rejects(db.networks.create(newNetwork('172.16.12.0/24', { gateway: '172.16.13.1' })), InvalidValue);
    });

    void test('a CIDR overlapping any network of the cloud is NetworkCidrConflict naming it; concurrent overlapping creates: one wins', async () => {
      const big = await db.networks.create(newNetwork('172.17.0.0/16', { name: 'big', project_id: project() }));
      for (const cidr of ['172.17.0.0/16', '172.17.5.0/24', '172.17.128.0/17']) {
        await assert.rejects(db.networks.create(newNetwork(cidr)), (e: unknown) => {
          assert.ok(e instanceof NetworkCidrConflict);
          assert.equal(e.status, 409);
          assert.equal(e.message, `CIDR ${cidr} overlaps network big (${big.cidr}).`);
          return true;
        });
      }
      const race = await Promise.allSettled(['172.18.0.0/16', '172.18.4.0/24', '172.18.0.0/20', '172.18.4.0/22'].map((c, i) => (i % 2 ? other : db).networks.create(newNetwork(c))));
      const won = race.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1, JSON.stringify(race.map((r) => r.status)));
      for (const r of race) if (r.status === 'rejected') assert.ok(r.reason instanceof NetworkCidrConflict, String(r.reason));
    });

    void test('ensureDefault: 10 concurrent calls of one project make one network, the lowest free subnet of the pool', async () => {
      const p = project();
      const pool = { pool: '10.201.0.0/16', prefix: 24 };
      await db.networks.create(newNetwork('10.201.0.0/24'));
      const got = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : db).networks.ensureDefault(p, 'u1', pool)));
      assert.equal(new Set(got.map((n) => n.uuid)).size, 1);
      const n = got[0]!;
      assert.equal(n.cidr, '10.201.1.0/24');
      assert.equal(n.gateway, '10.201.1.1');
      assert.equal(n.name, 'default');
      assert.equal(n.project_id, p);
      assert.equal(n.user_id, 'u1');
      assert.equal(n.is_default, true);
      assert.equal(n.nat_egress, true);
      assert.equal(n.shared, false);
      assert.equal((await db.networks.list(mine(p))).filter((x) => x.project_id === p).length, 1);
      assert.deepEqual(await db.networks.ensureDefault(p, 'u2', pool), n);
    });

    void test('ensureDefault: concurrent calls of 5 projects make 5 distinct, non-overlapping subnets', async () => {
      const pool = { pool: '10.202.0.0/16', prefix: 24 };
      const projects = Array.from({ length: 5 }, project);
      const got = await Promise.all(projects.flatMap((p) => [db, other].map((d) => d.networks.ensureDefault(p, null, pool))));
      const byProject = new Map(got.map((n) => [n.project_id, n]));
      assert.equal(byProject.size, 5);
      for (const n of got) assert.equal(n.uuid, byProject.get(n.project_id)!.uuid);
      const nets = [...byProject.values()];
      assert.deepEqual(nets.map((n) => n.cidr).sort(), ['10.202.0.0/24', '10.202.1.0/24', '10.202.2.0/24', '10.202.3.0/24', '10.202.4.0/24']);
      for (const a of nets) for (const b of nets) if (a !== b) assert.equal(cidrsOverlap(a.cidr, b.cidr), false);
      assert.equal(new Set(nets.map((n) => n.segmentation_id)).size, 5);
    });

    void test('ensureDefault: a pool without a free subnet is NetworkExhausted', async () => {
      const pool = { pool: '10.203.0.0/23', prefix: 24 };
      await db.networks.create(newNetwork('10.203.1.128/25'));
      assert.equal((await db.networks.ensureDefault(project(), null, pool)).cidr, '10.203.0.0/24');
      await assert.rejects(db.networks.ensureDefault(project(), null, pool), (e: unknown) => {
        assert.ok(e instanceof NetworkExhausted);
        assert.equal(e.status, 409);
        assert.equal(e.message, 'No free /24 subnet left in the default network pool 10.203.0.0/23.');
        return true;
      });
    });

    void test('scope: a project sees its own and shared networks; another project\'s private one is NetworkNotFound', async () => {
      const p = project();
      const q = project();
      const priv = await db.networks.create(newNetwork('172.19.0.0/24', { project_id: q, name: 'secret' }));
      const shared = await db.networks.create(newNetwork('172.19.1.0/24', { project_id: q, name: 'public', shared: true }));
      const own = await db.networks.create(newNetwork('172.19.2.0/24', { project_id: p, name: 'own' }));
      await assert.rejects(db.networks.getByUuid(mine(p), priv.uuid), (e: unknown) => {
        assert.ok(e instanceof NetworkNotFound);
        assert.equal(e.status, 404);
        assert.equal(e.message, `Network ${priv.uuid} could not be found.`);
        return true;
      });
      await assert.rejects(db.networks.getByIdent(mine(p), 'secret'), (e: unknown) => e instanceof NetworkNotFound && e.message === 'Network secret could not be found.');
      assert.equal((await db.networks.getByIdent(mine(p), 'public')).uuid, shared.uuid);
      assert.deepEqual((await db.networks.list(mine(p))).map((n) => n.uuid), [shared.uuid, own.uuid]);
      assert.deepEqual((await db.networks.getByUuid(ALL_NETWORKS, priv.uuid)).uuid, priv.uuid);
      const page = await db.networks.list(ALL_NETWORKS, { marker: shared.uuid, limit: 1 });
      assert.deepEqual(page.map((n) => n.uuid), [own.uuid]);
      await db.networks.create(newNetwork('172.19.3.0/24', { project_id: p, name: 'own' }));
      await assert.rejects(db.networks.getByName(mine(p), 'own'), Conflict);
    });

    void test('destroy: in use → NetworkInUse with the port count; unused → gone; absent → fine', async () => {
      const p = project();
      const n = await db.networks.create(newNetwork('172.20.0.0/24', { project_id: p, name: 'busy' }));
      const c = await createWithPorts(db, p, [plannedPort(n.uuid)]);
      await createWithPorts(db, p, [plannedPort(n.uuid)]);
      await assert.rejects(db.networks.destroy(n.uuid), (e: unknown) => {
        assert.ok(e instanceof NetworkInUse);
        assert.equal(e.message, 'Network busy is in use by 2 container port(s).');
        return true;
      });
      await db.containers.destroy(c.uuid);
      await assert.rejects(db.networks.destroy(n.uuid), (e: unknown) => e instanceof NetworkInUse && e.message.endsWith('by 1 container port(s).'));
      const empty = await db.networks.create(newNetwork('172.20.1.0/24'));
      await db.networks.destroy(empty.uuid);
      await assert.rejects(db.networks.getByUuid(ALL_NETWORKS, empty.uuid), NetworkNotFound);
      await db.networks.destroy(empty.uuid);
    });

    void test('peersOf, hostsOf and networksOnHost follow the ports', async () => {
      const p = project();
      const n = await db.networks.create(newNetwork('172.21.0.0/24', { project_id: p }));
      const m = await db.networks.create(newNetwork('172.21.1.0/24', { project_id: p }));
      await db.computeNodes.upsertFromTracker('net-h1', { underlay_ip: '192.0.2.1' });
      await db.computeNodes.upsertFromTracker('net-h2', { underlay_ip: '192.0.2.2' });
      await db.computeNodes.upsertFromTracker('net-h3', {});
      const on = async (host: string, ...nets: string[]): Promise<string> => {
        const c = await createWithPorts(db, p, nets.map((u) => plannedPort(u)));
        await db.networks.allocatePorts(c.uuid, host);
        return c.uuid;
      };
      await on('net-h1', n.uuid, m.uuid);
      const second = await on('net-h2', n.uuid);
      await on('net-h3', n.uuid);
      await createWithPorts(db, p, [plannedPort(n.uuid)]); // pending, no host
      assert.deepEqual(await db.networks.peersOf(n.uuid, null), ['192.0.2.1', '192.0.2.2']);
      assert.deepEqual(await db.networks.peersOf(n.uuid, 'net-h1'), ['192.0.2.2']);
      assert.deepEqual(await db.networks.peersOf(m.uuid, 'net-h1'), []);
      assert.deepEqual(await db.networks.hostsOf(n.uuid), ['net-h1', 'net-h2', 'net-h3']);
      assert.deepEqual((await db.networks.networksOnHost('net-h1')).map((x) => x.uuid), [n.uuid, m.uuid]);
      assert.deepEqual((await db.networks.networksOnHost('net-h2')).map((x) => x.uuid), [n.uuid]);
      const [port] = await db.networks.portsOf(second);
      await db.networks.updatePort(port!.port.uuid, { status: 'detaching' });
      assert.deepEqual(await db.networks.peersOf(n.uuid, null), ['192.0.2.1']);
      await db.networks.releasePorts(second);
      assert.deepEqual(await db.networks.hostsOf(n.uuid), ['net-h1', 'net-h3']);
      assert.deepEqual(await db.networks.networksOnHost('net-h2'), []);
    });

    void test('the migration goes down and up again', async () => {
      const d = await createTestDb(engine);
      try {
        const fresh = await Database.open(d.url);
        await fresh.migrate();
        const n = await fresh.networks.create(newNetwork('10.0.0.0/24'));
        await createWithPorts(fresh, 'p1', [plannedPort(n.uuid)]);
        await fresh.close();
        const { ds } = await openDataSource(d.url);
        let undone: string[] = [];
        try {
          undone = await undoMigrationsThrough(ds, 'AddNetwork1732665600000');
          const qr = ds.createQueryRunner();
          assert.equal(await qr.hasTable('network'), false);
          assert.equal(await qr.hasTable('network_port'), false);
          assert.equal(await qr.hasColumn('compute_node', 'underlay_ip'), false);
          assert.equal(await qr.hasColumn('container', 'published_ports'), false);
          await qr.release();
          const [row] = (await ds.query('SELECT COUNT(*) AS n FROM container')) as { n: unknown }[];
          assert.equal(Number(row!.n), 1);
        } finally {
          await ds.destroy();
        }
        const again = await Database.open(d.url);
        try {
          assert.equal(undone[0], 'AddNetwork1732665600000');
          assert.deepEqual(await again.migrate(), undone);
          assert.deepEqual(await again.schemaDrift(), []);
          assert.equal((await again.quotas.usage('p1')).containers, 1);
        } finally {
          await again.close();
        }
      } finally {
        await d.drop();
      }
    });
  });
}
