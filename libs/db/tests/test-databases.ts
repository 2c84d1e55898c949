import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createConnection } from 'mysql2/promise';

/** The engines every integration suite runs on. */
export const ENGINES = ['sqlite', 'mariadb'] as const;
export type Engine = (typeof ENGINES)[number];

/** A throw-away database and the URL a service would be configured with. */
export interface TestDb {
  engine: Engine;
  /** `[database] connection` value. */
  url: string;
  /** SQLite: the file; MariaDB: the database name. */
  location: string;
  drop(): Promise<void>;
}

/** Integration tests fail (never skip) when their environment is missing. */
export function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: this integration test needs it (e.g. ${name}=mysql://root@127.0.0.1:3307, as tools/stack test sets it)`);
  }
  return v;
}

function sqliteDb(): TestDb {
  const dir = mkdtempSync(join(tmpdir(), 'zun-db-test-'));
  const file = join(dir, 'zun.sqlite');
  return {
    engine: 'sqlite',
    url: `sqlite:///${file}`,
    location: file,
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

/** Connection options of the MariaDB server named by ZUN_TEST_MYSQL_URL. */
export function mysqlServer(): { host: string; port: number; user: string; password: string } {
  const u = new URL(requireEnv('ZUN_TEST_MYSQL_URL').replace(/^mysql\+\w+:/, 'mysql:'));
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username) || 'root',
    password: decodeURIComponent(u.password),
  };
}

async function mariadbDb(): Promise<TestDb> {
  const server = mysqlServer();
  const name = `zun_test_${randomBytes(6).toString('hex')}`;
  const admin = await createConnection(server);
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const auth = server.password ? `${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}` : encodeURIComponent(server.user);
  return {
    engine: 'mariadb',
    url: `mysql+pymysql://${auth}@${server.host}:${server.port}/${name}?charset=utf8mb4`,
    location: name,
    drop: async () => {
      const c = await createConnection(server);
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await c.end();
      }
    },
  };
}

/** A fresh, empty database on `engine`. */
export function createTestDb(engine: Engine): Promise<TestDb> {
  return engine === 'sqlite' ? Promise.resolve(sqliteDb()) : mariadbDb();
}

/**
 * `describe` for one engine. Without the MariaDB server variable the suite is replaced by one failing
 * test that names the variable, so a missing environment shows up as a failure, never as a skip.
 */
export function describeOn(engine: Engine, title: string, body: () => void): void {
  if (engine === 'mariadb' && !process.env.ZUN_TEST_MYSQL_URL) {
    void test(`${title}: environment`, () => {
      requireEnv('ZUN_TEST_MYSQL_URL');
    });
    return;
  }
  void describe(title, body);
}

/** What {@link undoMigrationsThrough} needs of a TypeORM DataSource. */
interface MigratingDataSource {
  query(sql: string): Promise<unknown>;
  undoLastMigration(opts: { transaction: 'each' }): Promise<void>;
}

/**
 * Undoes the newest migrations until `name` is undone too, whatever came after it; returns the undone names in
 * the order a later migrate() applies them again. A test of one migration's `down` stays true when migrations are added.
 */
export async function undoMigrationsThrough(ds: MigratingDataSource, name: string, table = 'zun_migrations'): Promise<string[]> {
  const undone: string[] = [];
  for (;;) {
    const rows = (await ds.query(`SELECT \`name\` FROM \`${table}\` ORDER BY \`id\` DESC LIMIT 1`)) as { name: string }[];
    const last = rows[0]?.name;
    if (last === undefined) throw new Error(`migration ${name} was never applied`);
    await ds.undoLastMigration({ transaction: 'each' });
    undone.unshift(last);
    if (last === name) return undone;
  }
}
