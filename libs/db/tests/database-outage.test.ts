// The database going away under a running service: every repository answers with DatabaseUnavailable (the
// API's 503, a retried RPC message) while it is away, and works again once it is back, without reopening.
// A TCP relay in front of the test MariaDB is cut (every connection reset, nothing listening) and restored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Database, DatabaseUnavailable } from '../src';
import { createTestDb, describeOn, mysqlServer, type TestDb } from './test-databases';

class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  get isOpen(): boolean {
    return this.server !== null;
  }

  async open(): Promise<void> {
    if (this.server) return;
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Every connection reset, the port closed: what a killed MariaDB looks like to its clients. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.resetAndDestroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describeOn('mariadb', 'the database going away under a running service (MariaDB behind a relay)', () => {
  let testDb: TestDb;
  let relay: Relay;
  let db: Database;

  before(async () => {
    testDb = await createTestDb('mariadb');
    relay = new Relay(mysqlServer());
    await relay.open();
    const url = testDb.url.replace(/@[^/]+\//, `@127.0.0.1:${relay.port}/`);
    db = await Database.open(url);
    await db.migrate();
  });

  after(async () => {
    // A pool closing while the relay is cut waits on connections that never answer (it once hung CI): reopen first.
    if (relay && !relay.isOpen) await relay.open();
    await db?.close().catch(() => undefined);
    await relay?.cut();
    await testDb?.drop();
  });

  test('queries fail with DatabaseUnavailable (503, retryable) while it is away, and work again when it is back', async () => {
    await db.services.upsert({ host: 'outage-host', binary: 'zun-compute', topic: 'zun-compute', availability_zone: null });
    assert.equal((await db.services.list()).length, 1);

    await relay.cut();
    // Each query made when it is checked: one made earlier could reject before its check, an unhandled rejection.
    const queries: Array<() => Promise<unknown>> = [
      () => db.services.list(),
      () => db.containers.list({ projectId: null, allProjects: true }),
      () => db.computeNodes.list(),
      () => db.computeNodes.listSchedulable(),
    ];
    for (const query of queries) {
      await assert.rejects(query(), (err: unknown) => {
        assert.ok(err instanceof DatabaseUnavailable, `a DatabaseUnavailable, not ${String(err)}`);
        assert.equal(err.status, 503);
        assert.match(err.message, /^The database is unavailable \(\w+\); retry later\.$/);
        return true;
      });
    }

    await relay.open();
    let rows: number | null = null;
    for (let i = 0; i < 50 && rows === null; i++) {
      rows = await db.services.list().then((l) => l.length, () => null);
      if (rows === null) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(rows, 1, 'the same Database serves again once MariaDB is back');
  });
});
