import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ComputeNodeNotFound, ContainerNotFound, InvalidValue } from '@zun-ts/common';
import { type ComputeNode } from '@zun-ts/objects';
import { type ClaimLimits, type ComputeNodeInventory, Database, MarkerNotFound, SCHEDULABLE_FIELDS } from '../src';
import { newContainer } from './fixtures/containers';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const inventory: ComputeNodeInventory = {
  mem_total: 4096,
  mem_free: 3000,
  mem_available: 3500,
  cpus: 4,
  disk_total: 80,
  architecture: 'x86_64',
  os: 'Debian GNU/Linux 12 (bookworm)',
  os_type: 'linux',
  kernel_version: '6.1.0',
  labels: { dc: 'one' },
  runtimes: ['runc'],
  disk_quota_supported: true,
  enable_cpu_pinning: false,
};
const exact: ClaimLimits = { cpuRatio: 1, ramRatio: 1, diskRatio: 1 };

for (const engine of ENGINES) {
  describeOn(engine, `ComputeNodeRepository on ${engine}`, () => {
    let t: TestDb;
    let db: Database;

    const node = async (hostname: string): Promise<ComputeNode> => {
      const n = await db.computeNodes.get(hostname);
      assert.ok(n, `${hostname} exists`);
      return n;
    };
    const containerUuid = async (): Promise<string> => (await db.containers.create(newContainer())).uuid;

    before(async () => {
      t = await createTestDb(engine);
      db = await Database.open(t.url, { poolSize: 10 });
      await db.migrate();
    });
    after(async () => {
      await db?.close();
      await t?.drop();
    });

    void test('upsertFromTracker creates the node, then refreshes its inventory only', async () => {
      const n = await db.computeNodes.upsertFromTracker('node-1', inventory);
      assert.match(n.uuid, /^[0-9a-f-]{36}$/);
      assert.equal(n.mem_total, 4096);
      assert.equal(n.mem_used, 0);
      assert.deepEqual(n.labels, { dc: 'one' });
      assert.deepEqual(n.runtimes, ['runc']);
      assert.equal(n.disk_quota_supported, true);
      assert.deepEqual(await node('node-1'), n);

      assert.equal(await db.computeNodes.claim('node-1', { cpu: 1.5, memory: 512, disk: 10 }, exact), true);
      const again = await db.computeNodes.upsertFromTracker('node-1', { ...inventory, mem_total: 8192, labels: {} });
      assert.equal(again.id, n.id);
      assert.equal(again.uuid, n.uuid);
      assert.equal(again.mem_total, 8192);
      assert.deepEqual(again.labels, {});
      assert.ok(again.updated_at instanceof Date);
      assert.equal(again.cpu_used, 1.5, 'claim counters survive a report');
      assert.equal(again.mem_used, 512);
      assert.equal(again.disk_used, 10);
      assert.equal(again.total_containers, 1);
      await db.computeNodes.release('node-1', { cpu: 1.5, memory: 512, disk: 10 });
    });

    void test('racing first reports of one host give one row', async () => {
      const rows = await Promise.all(Array.from({ length: 10 }, () => db.computeNodes.upsertFromTracker('racer', inventory)));
      assert.equal(new Set(rows.map((r) => r.id)).size, 1);
      assert.equal((await db.computeNodes.list()).filter((n) => n.hostname === 'racer').length, 1);
      await db.computeNodes.delete('racer');
      assert.equal(await db.computeNodes.get('racer'), null);
      await assert.rejects(db.computeNodes.delete('racer'), ComputeNodeNotFound);
    });

    void test('getByIdent takes a uuid or a hostname; unknown is a 404', async () => {
      const n = await node('node-1');
      assert.equal((await db.computeNodes.getByIdent(n.uuid)).id, n.id);
      assert.equal((await db.computeNodes.getByIdent(n.uuid.toUpperCase())).id, n.id);
      assert.equal((await db.computeNodes.getByIdent('node-1')).id, n.id);
      await assert.rejects(db.computeNodes.getByIdent('nowhere'), (e: unknown) => {
        assert.ok(e instanceof ComputeNodeNotFound);
        assert.equal(e.status, 404);
        assert.equal(e.message, 'Compute node nowhere could not be found.');
        return true;
      });
    });

    void test('list sorts by hostname and pages with a uuid marker', async () => {
      for (const h of ['c-host', 'a-host', 'b-host']) await db.computeNodes.upsertFromTracker(h, inventory);
      const all = await db.computeNodes.list();
      const names = all.map((n) => n.hostname);
      assert.deepEqual(names, [...names].sort());
      const first = await db.computeNodes.list({ limit: 2 });
      const rest = await db.computeNodes.list({ marker: first.at(-1)!.uuid });
      assert.deepEqual([...first, ...rest].map((n) => n.hostname), names);
      const desc = await db.computeNodes.list({ sortKey: 'id', sortDir: 'desc' });
      assert.deepEqual(desc.map((n) => n.id), all.map((n) => n.id).sort((a, b) => b - a));
      await assert.rejects(db.computeNodes.list({ marker: randomUUID() }), MarkerNotFound);
      await assert.rejects(db.computeNodes.list({ sortKey: 'nope' }), InvalidValue);
    });

    void test('listSchedulable reads every node, the schedulable fields only, decoded as list decodes them', async () => {
      await db.computeNodes.upsertFromTracker('s-host', { ...inventory, labels: null, runtimes: null, disk_quota_supported: false, enable_cpu_pinning: true });
      assert.equal(await db.computeNodes.claim('s-host', { cpu: 0.25, memory: 64, disk: 1 }, exact), true);
      const all = await db.computeNodes.list();
      const schedulable = await db.computeNodes.listSchedulable();
      assert.deepEqual(schedulable, all.map((n) => Object.fromEntries(SCHEDULABLE_FIELDS.map((f) => [f, n[f]]))));
      const s = schedulable.find((n) => n.hostname === 's-host');
      assert.deepEqual([s?.cpu_used, s?.mem_used, s?.labels, s?.runtimes, s?.enable_cpu_pinning, s?.disk_quota_supported], [0.25, 64, null, null, true, false]);
      assert.deepEqual(Object.keys(s ?? {}).sort(), [...SCHEDULABLE_FIELDS].sort());
    });

    void test('claim admits up to total × ratio and nothing more; release gives back, never below 0', async () => {
      await db.computeNodes.upsertFromTracker('small', { ...inventory, cpus: 2, mem_total: 1024, disk_total: 10 });
      const r = { cpu: 1, memory: 512, disk: 5 };
      assert.equal(await db.computeNodes.claim('small', r, exact), true);
      assert.equal(await db.computeNodes.claim('small', r, exact), true);
      assert.equal(await db.computeNodes.claim('small', r, exact), false, 'full');
      let n = await node('small');
      assert.deepEqual([n.cpu_used, n.mem_used, n.disk_used, n.total_containers], [2, 1024, 10, 2]);
      assert.equal(await db.computeNodes.claim('small', { cpu: 0.5, memory: 0, disk: 0 }, exact), false, 'cpu alone is full');
      assert.equal(await db.computeNodes.claim('small', { cpu: 1, memory: 512, disk: 0 }, { cpuRatio: 16, ramRatio: 1.5 }), true, 'ratios overcommit');
      assert.equal(await db.computeNodes.claim('small', { cpu: 1, memory: 512, disk: 5 }, { cpuRatio: 16, ramRatio: 1.5 }), false, 'ram 1.5×');
      assert.equal(await db.computeNodes.claim('small', { cpu: 100, memory: 100_000, disk: 100 }, {}), true, 'no ratio, no limit');
      await db.computeNodes.release('small', { cpu: 100, memory: 100_000, disk: 100 });
      await db.computeNodes.release('small', { cpu: 1, memory: 512, disk: 0 });
      n = await node('small');
      assert.deepEqual([n.cpu_used, n.mem_used, n.disk_used, n.total_containers], [2, 1024, 10, 2]);
      for (let i = 0; i < 4; i++) await db.computeNodes.release('small', r);
      n = await node('small');
      assert.deepEqual([n.cpu_used, n.mem_used, n.disk_used, n.total_containers], [0, 0, 0, 0]);
      // fractional cpus add up exactly at the limit
      for (let i = 0; i < 20; i++) assert.equal(await db.computeNodes.claim('small', { cpu: 0.1, memory: 1, disk: 0 }, exact), true);
      assert.equal(await db.computeNodes.claim('small', { cpu: 0.1, memory: 1, disk: 0 }, exact), false);
      await assert.rejects(db.computeNodes.claim('ghost', r, exact), ComputeNodeNotFound);
      await assert.rejects(db.computeNodes.release('ghost', r), ComputeNodeNotFound);
      await assert.rejects(db.computeNodes.claim('small', { cpu: -1, memory: 1, disk: 0 }, exact), InvalidValue);
      await assert.rejects(db.computeNodes.claim('small', { cpu: 1, memory: 1.5, disk: 0 }, exact), InvalidValue);
    });

    void test('claimForContainer claims once per container; releaseForContainer releases once', async () => {
      await db.computeNodes.upsertFromTracker('h-once', { ...inventory, cpus: 8, mem_total: 8192 });
      const c = await containerUuid();
      const r = { cpu: 2, memory: 1024, disk: 0 };
      assert.deepEqual(await db.computeNodes.claimForContainer(c, 'h-once', r, exact), { claimed: true, alreadyClaimed: false, hostname: 'h-once' });
      assert.deepEqual(await db.computeNodes.claimForContainer(c, 'h-once', r, exact), { claimed: true, alreadyClaimed: true, hostname: 'h-once' });
      let n = await node('h-once');
      assert.deepEqual([n.cpu_used, n.mem_used, n.total_containers], [2, 1024, 1], 'counted once');
      // Held elsewhere: not claimed here, and the answer says where.
      await db.computeNodes.upsertFromTracker('h-other', inventory);
      assert.deepEqual(await db.computeNodes.claimForContainer(c, 'h-other', r, exact), { claimed: false, alreadyClaimed: true, hostname: 'h-once' });
      assert.equal((await node('h-other')).total_containers, 0);

      const claim = await db.computeNodes.getClaim(c);
      assert.equal(claim?.hostname, 'h-once');
      assert.equal(claim?.memory, 1024);
      assert.equal(claim?.released_at, null);

      assert.equal(await db.computeNodes.releaseForContainer(c), true);
      assert.equal(await db.computeNodes.releaseForContainer(c), false);
      n = await node('h-once');
      assert.deepEqual([n.cpu_used, n.mem_used, n.total_containers], [0, 0, 0], 'released once');
      assert.ok((await db.computeNodes.getClaim(c))?.released_at instanceof Date);

      // A released container can be claimed again (rescheduled), on another host.
      assert.deepEqual(await db.computeNodes.claimForContainer(c, 'h-other', r, exact), { claimed: true, alreadyClaimed: false, hostname: 'h-other' });
      assert.equal((await node('h-other')).mem_used, 1024);
      assert.equal(await db.computeNodes.releaseForContainer(c), true);
      assert.equal(await db.computeNodes.releaseForContainer(randomUUID()), false);
    });

    void test('the build state goes in with a claim, a re-arm replaces it, a second claim keeps it', async () => {
      await db.computeNodes.upsertFromTracker('h-build1', inventory);
      await db.computeNodes.upsertFromTracker('h-build2', inventory);
      const c = await containerUuid();
      const r = { cpu: 1, memory: 64, disk: 0 };
      const first = { retry: { attempt: 1, hosts: ['h-build1'] }, context: { requestId: 'req-1' } };
      await db.computeNodes.claimForContainer(c, 'h-build1', r, exact, first);
      await db.computeNodes.claimForContainer(c, 'h-build1', r, exact, { retry: { attempt: 9 } });
      assert.deepEqual((await db.computeNodes.getClaim(c))?.build, first);
      await db.computeNodes.releaseForContainer(c);
      const second = { retry: { attempt: 2, hosts: ['h-build1', 'h-build2'] }, context: { requestId: 'req-1' } };
      await db.computeNodes.claimForContainer(c, 'h-build2', r, exact, second);
      assert.deepEqual((await db.computeNodes.getClaim(c))?.build, second);
      // Claims made without one (by hand) hold none.
      const d = await containerUuid();
      await db.computeNodes.claimForContainer(d, 'h-build2', r, exact);
      assert.equal((await db.computeNodes.getClaim(d))?.build, null);
    });

    void test('touchClaim marks an active claim acted on once per period: unchanged since, on that host, not released', async () => {
      await db.computeNodes.upsertFromTracker('h-touch', inventory);
      const c = await containerUuid();
      await db.computeNodes.claimForContainer(c, 'h-touch', { cpu: 0, memory: 0, disk: 0 }, exact);
      const t0 = Date.now();
      const at = (s: number): Date => new Date(t0 + s * 1000);
      assert.equal(await db.computeNodes.touchClaim(c, 'h-touch', at(-60), at(0)), false, 'changed since: claimed just now');
      assert.equal(await db.computeNodes.touchClaim(c, 'h-touch', at(60), at(60)), true);
      // A second conductor in the same period looks back from its own clock: the claim changed since.
      assert.equal(await db.computeNodes.touchClaim(c, 'h-touch', at(59), at(61)), false);
      assert.equal((await db.computeNodes.getClaim(c))?.updated_at?.getTime(), at(60).getTime());
      assert.equal(await db.computeNodes.touchClaim(c, 'h-other-host', at(120), at(120)), false, 'another host');
      assert.equal(await db.computeNodes.touchClaim(c, 'h-touch', at(120), at(120)), true, 'the next period');
      await db.computeNodes.releaseForContainer(c);
      assert.equal(await db.computeNodes.touchClaim(c, 'h-touch', at(600), at(600)), false, 'released');
      assert.equal(await db.computeNodes.touchClaim(randomUUID(), 'h-touch', at(600), at(600)), false, 'no claim');
    });

    void test('a claim that does not fit leaves no trace; unknown container or host throw', async () => {
      await db.computeNodes.upsertFromTracker('h-tiny', { ...inventory, cpus: 1, mem_total: 256 });
      const c = await containerUuid();
      assert.deepEqual(await db.computeNodes.claimForContainer(c, 'h-tiny', { cpu: 1, memory: 512, disk: 0 }, exact), {
        claimed: false,
        alreadyClaimed: false,
        hostname: null,
      });
      assert.equal(await db.computeNodes.getClaim(c), null);
      assert.equal((await node('h-tiny')).total_containers, 0);
      assert.equal((await db.computeNodes.claimForContainer(c, 'h-tiny', { cpu: 1, memory: 256, disk: 0 }, exact)).claimed, true);
      await assert.rejects(db.computeNodes.claimForContainer(randomUUID(), 'h-tiny', { cpu: 0, memory: 0, disk: 0 }, exact), ContainerNotFound);
      await assert.rejects(db.computeNodes.claimForContainer(await containerUuid(), 'ghost', { cpu: 1, memory: 1, disk: 0 }, exact), ComputeNodeNotFound);
    });

    void test('destroying a container releases its active claim', async () => {
      await db.computeNodes.upsertFromTracker('h-destroy', inventory);
      const c = await containerUuid();
      await db.computeNodes.claimForContainer(c, 'h-destroy', { cpu: 1, memory: 512, disk: 5 }, exact);
      assert.equal((await node('h-destroy')).mem_used, 512);
      await db.containers.destroy(c);
      const n = await node('h-destroy');
      assert.deepEqual([n.cpu_used, n.mem_used, n.disk_used, n.total_containers], [0, 0, 0, 0]);
      assert.equal(await db.computeNodes.getClaim(c), null);
    });

    void test('concurrency: 100 parallel claims against 2 hosts holding 30 each → exactly 60, no host over', async () => {
      const hosts = ['cc-a', 'cc-b'];
      for (const h of hosts) await db.computeNodes.upsertFromTracker(h, { ...inventory, cpus: 4, mem_total: 30 * 512, disk_total: 0 });
      const limits: ClaimLimits = { cpuRatio: 16, ramRatio: 1, diskRatio: 1 };
      const r = { cpu: 1, memory: 512, disk: 0 };
      const uuids = await Promise.all(Array.from({ length: 100 }, () => containerUuid()));
      // Each caller tries the hosts in turn, as the scheduler would, starting at a different one.
      const outcomes = await Promise.all(
        uuids.map(async (uuid, i) => {
          for (const h of [hosts[i % 2]!, hosts[(i + 1) % 2]!]) {
            const o = await db.computeNodes.claimForContainer(uuid, h, r, limits);
            if (o.claimed) return h;
          }
          return null;
        }),
      );
      const placed = outcomes.filter((h) => h !== null);
      assert.equal(placed.length, 60);
      for (const h of hosts) {
        const n = await node(h);
        assert.equal(placed.filter((p) => p === h).length, 30);
        assert.equal(n.total_containers, 30);
        assert.equal(n.mem_used, 30 * 512);
        assert.ok(n.mem_used <= n.mem_total * 1);
        assert.equal(n.cpu_used, 30);
      }
      let active = 0;
      for (const u of uuids) if ((await db.computeNodes.getClaim(u))?.released_at === null) active++;
      assert.equal(active, 60);

      // Release all in parallel, each twice: counters return to exactly zero.
      const released = await Promise.all([...uuids, ...uuids].map((u) => db.computeNodes.releaseForContainer(u)));
      assert.equal(released.filter(Boolean).length, 60);
      for (const h of hosts) {
        const n = await node(h);
        assert.deepEqual([n.cpu_used, n.mem_used, n.total_containers], [0, 0, 0]);
      }
    });

    void test('concurrency: one container claimed 20 times at once is charged once, released 20 times once', async () => {
      await db.computeNodes.upsertFromTracker('cc-dup', { ...inventory, cpus: 64, mem_total: 65536 });
      const c = await containerUuid();
      const r = { cpu: 1, memory: 512, disk: 0 };
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => db.computeNodes.claimForContainer(c, 'cc-dup', r, exact)));
      assert.ok(outcomes.every((o) => o.claimed && o.hostname === 'cc-dup'));
      assert.equal(outcomes.filter((o) => !o.alreadyClaimed).length, 1);
      let n = await node('cc-dup');
      assert.deepEqual([n.cpu_used, n.mem_used, n.total_containers], [1, 512, 1]);
      const released = await Promise.all(Array.from({ length: 20 }, () => db.computeNodes.releaseForContainer(c)));
      assert.equal(released.filter(Boolean).length, 1);
      n = await node('cc-dup');
      assert.deepEqual([n.cpu_used, n.mem_used, n.total_containers], [0, 0, 0]);
    });
  });
}
