// End to end: the bundled zun-manage tool against a real database, configured through zun.conf.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Database } from '../src';
import { createTestDb, type TestDb } from './test-databases';

const root = join(__dirname, '..', '..', '..');
const bundle = join(root, 'dist', 'tools', 'zun-manage.js');
const HEAD = Database.migrationNames().at(-1)!;

function zunManage(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // Only the command line and zun.conf may configure it here.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ZUN_')));
  const r = spawnSync(process.execPath, [bundle, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

void describe('zun-manage db', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-manage-test-'));
  const conf = join(dir, 'zun.conf');
  const dbFile = join(dir, 'state', 'zun.sqlite');
  let maria: TestDb | undefined;

  before(() => {
    const build = spawnSync(process.execPath, [join(root, 'tools', 'build.mjs'), 'zun-manage'], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, `build failed: ${build.stderr}`);
    assert.ok(existsSync(bundle));
    writeFileSync(conf, `[DEFAULT]\nstate_path = ${dir}/state\n\n[database]\nconnection = sqlite:///$state_path/zun.sqlite\n`);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await maria?.drop();
  });

  void test('db version on an empty database prints "none"', () => {
    const r = zunManage('--config-file', conf, 'db', 'version');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'none');
  });

  void test('db sync applies the migrations, a second run is a no-op', () => {
    const first = zunManage('--config-file', conf, 'db', 'sync');
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout.trim(), Database.migrationNames().map((n) => `applied ${n}`).join('\n'));
    assert.ok(existsSync(dbFile), 'the database file is where zun.conf says');
    const second = zunManage('--config-file', conf, 'db', 'sync');
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout.trim(), 'database is up to date');
  });

  void test('db version prints the head migration', () => {
    const r = zunManage(`--config-file=${conf}`, 'db', 'version');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), HEAD);
  });

  void test('command-line options override the file (MariaDB via --database.connection)', async () => {
    maria = await createTestDb('mariadb');
    const r = zunManage('--config-file', conf, '--database.connection', maria.url, 'db', 'sync');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`applied ${HEAD}`));
    const db = await Database.open(maria.url);
    try {
      assert.equal(await db.version(), HEAD);
    } finally {
      await db.close();
    }
  });

  void test('bad usage and unreachable databases exit 1 with a clear message', () => {
    const unknown = zunManage('--config-file', conf, 'db', 'upgrade');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown command 'db upgrade'/);
    const none = zunManage('--config-file', conf);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no command given/);
    const down = zunManage('--database.connection=mysql+pymysql://zun:s3cret@127.0.0.1:1/zun', 'db', 'sync');
    assert.equal(down.status, 1);
    assert.match(down.stderr, /cannot open database mysql\+pymysql:\/\/zun:\*\*\*@127\.0\.0\.1:1\/zun/);
    assert.doesNotMatch(down.stderr, /s3cret/);
    const badConf = zunManage('--config-file', join(dir, 'missing.conf'), 'db', 'sync');
    assert.equal(badConf.status, 1);
    assert.match(badConf.stderr, /missing\.conf/);
  });
});
