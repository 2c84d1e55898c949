import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Database } from '../src';
import { createTestDb, describeOn, ENGINES, type TestDb } from './test-databases';

const HEAD = Database.migrationNames().at(-1);
const TABLES = [
  'compute_node',
  'container',
  'container_action',
  'container_action_event',
  'container_claim',
  'exec_instance',
  'image',
  'network',
  'network_port',
  'quota',
  'quota_class',
  'quota_lock',
  'volume',
  'volume_mapping',
  'zun_service',
];

function migrateInChild(url: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'fixtures', 'migrate-once.ts'), url],
      { cwd: join(__dirname, '..', '..', '..'), timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as string[])),
    );
  });
}

for (const engine of ENGINES) {
  describeOn(engine, `migrations on ${engine}`, () => {
    const dbs: TestDb[] = [];
    const open: Database[] = [];
    let t: TestDb;
    let db: Database;

    const fresh = async (): Promise<TestDb> => {
      const d = await createTestDb(engine);
      dbs.push(d);
      return d;
    };
    const connect = async (url: string): Promise<Database> => {
      const d = await Database.open(url);
      open.push(d);
      return d;
    };

    before(async () => {
      t = await fresh();
      db = await connect(t.url);
    });
    after(async () => {
      for (const d of open) await d.close();
      for (const d of dbs) await d.drop();
    });

    void test('an empty database has no version and lacks every table', async () => {
      assert.equal(await db.version(), null);
      const drift = await db.schemaDrift();
      for (const table of TABLES) {
        assert.ok(drift.some((q) => new RegExp(`CREATE TABLE [\`"]${table}[\`"]`).test(q)), `${table} should be missing`);
      }
    });

    void test('sync applies every migration from empty to head', async () => {
      assert.deepEqual(await db.migrate(), Database.migrationNames());
      assert.equal(await db.version(), HEAD);
    });

    void test('a second sync applies nothing', async () => {
      assert.deepEqual(await db.migrate(), []);
      assert.equal(await db.version(), HEAD);
    });

    void test('the migrated schema is exactly what the entities describe', async () => {
      assert.deepEqual(await db.schemaDrift(), []);
    });

    void test('another connection sees the head and has nothing to apply', async () => {
      const other = await connect(t.url);
      assert.equal(await other.version(), HEAD);
      assert.deepEqual(await other.migrate(), []);
    });

    void test('concurrent syncs from several processes apply each migration once', async () => {
      const d = await fresh();
      const runs = await Promise.all([1, 2, 3].map(() => migrateInChild(d.url)));
      assert.deepEqual(runs.flat().sort(), Database.migrationNames().sort());
      const c = await connect(d.url);
      assert.equal(await c.version(), HEAD);
      assert.deepEqual(await c.schemaDrift(), []);
    });
  });
}
