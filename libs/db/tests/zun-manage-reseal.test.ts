// End to end: `zun-manage registry reseal` (the bundled tool) rotates the key of stored registry passwords.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SecretBox } from '@zun-ts/common';
import { Database } from '../src';

const root = join(__dirname, '..', '..', '..');
const bundle = join(root, 'dist', 'tools', 'zun-manage.js');
const OLD = 'old-key-'.repeat(5);
const NEW = 'new-key-'.repeat(5);

function zunManage(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ZUN_')));
  const r = spawnSync(process.execPath, [bundle, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

void describe('zun-manage registry reseal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-reseal-test-'));
  const conf = join(dir, 'zun.conf');
  const url = `sqlite:///${join(dir, 'zun.sqlite')}`;
  let db: Database;

  before(async () => {
    const build = spawnSync(process.execPath, [join(root, 'tools', 'build.mjs'), 'zun-manage'], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, `build failed: ${build.stderr}`);
    writeFileSync(conf, `[DEFAULT]\nauth_encryption_key = ${NEW}\n\n[database]\nconnection = ${url}\n`);
    db = await Database.open(url);
    await db.migrate();
  });
  after(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const registry = (password: string | null) =>
    db.registries.create({ uuid: randomUUID(), domain: 'reg.example.com', username: 'u', password, project_id: 'p', user_id: 'u' });

  void test('passwords of the previous key are sealed again with the current one; a second run changes nothing', async () => {
    const old = await registry(new SecretBox(OLD).seal('pw-old'));
    const current = await registry(new SecretBox(NEW).seal('pw-new'));
    await registry(null);
    const r = zunManage('--config-file', conf, `--DEFAULT.auth_encryption_previous_keys=${OLD}`, 'registry', 'reseal');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /registry passwords: 1 sealed again with key [0-9a-f]{8}, 2 already current, 0 changed meanwhile/);
    assert.ok(!r.stdout.includes('pw-old') && !r.stderr.includes('pw-old'));
    const box = new SecretBox(NEW);
    const row = await db.registries.getById(old.id);
    assert.equal(box.isStale(row?.password ?? ''), false);
    assert.equal(box.open(row?.password ?? ''), 'pw-old', 'opens with the new key alone');
    assert.equal((await db.registries.getById(current.id))?.password, current.password, 'a current one is not rewritten');
    const again = zunManage('--config-file', conf, `--DEFAULT.auth_encryption_previous_keys=${OLD}`, 'registry', 'reseal');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /0 sealed again/);
  });

  void test('a password no configured key opens is named and left as it is (exit 1); no key at all is a config error', async () => {
    const lost = await registry(new SecretBox('lost-key-'.repeat(4)).seal('pw'));
    const r = zunManage('--config-file', conf, 'registry', 'reseal');
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`registry ${lost.uuid}: its password opens with no configured key`));
    assert.equal((await db.registries.getById(lost.id))?.password, lost.password);
    await db.registries.destroy(lost.uuid);
    const nokey = zunManage('--config-file', conf, '--DEFAULT.auth_encryption_key=', 'registry', 'reseal');
    assert.equal(nokey.status, 1);
    assert.match(nokey.stderr, /\[DEFAULT\] auth_encryption_key is not set/);
    const bad = zunManage('--config-file', conf, 'registry', 'rotate');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown command 'registry rotate'/);
  });
});
