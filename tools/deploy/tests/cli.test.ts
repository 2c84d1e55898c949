// Runs the zun-kolla entry (through tsx, as the bundle runs it) for genpwd and
// genconfig on a temp dir, and the bundled kolla_set_configs with no node_modules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { build } from 'esbuild';
import { parseConfigJson } from '../src/set-configs/config-json';

const repo = join(import.meta.dirname, '..', '..', '..');

function zunKolla(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'tools/deploy/src/main.ts'), ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

void describe('zun-kolla entry', () => {
  void test('genpwd then genconfig render an all-in-one /etc/kolla into a root dir', () => {
    const conf = mkdtempSync(join(tmpdir(), 'zun-kolla-e2e-'));
    writeFileSync(join(conf, 'globals.yml'), 'kolla_internal_vip_address: 127.0.0.1\nnetwork_interface: lo\nopenstack_tag: "1.0"\n');
    writeFileSync(join(conf, 'aio'), '[control]\nlocalhost ansible_connection=local\n[compute]\nlocalhost ansible_connection=local\n' +
      ['mariadb', 'redis', 'keystone', 'zun-api', 'zun-conductor', 'zun-scheduler', 'zun-wsproxy'].map((g) => `[${g}:children]\ncontrol\n`).join('') + '[zun-compute:children]\ncompute\n');
    const pw = zunKolla(['genpwd', '--configdir', conf]);
    assert.equal(pw.status, 0, pw.stderr);
    const first = readFileSync(join(conf, 'passwords.yml'), 'utf8');
    assert.equal(statSync(join(conf, 'passwords.yml')).mode & 0o777, 0o600);
    assert.equal(zunKolla(['genpwd', '--configdir', conf]).status, 0);
    assert.equal(readFileSync(join(conf, 'passwords.yml'), 'utf8'), first, 'a second genpwd changes nothing');

    const root = mkdtempSync(join(tmpdir(), 'zun-kolla-root-'));
    const gen = zunKolla(['-i', join(conf, 'aio'), 'genconfig', '--configdir', conf, '--root', root]);
    assert.equal(gen.status, 0, gen.stderr);
    const etc = join(root, 'localhost/etc/kolla');
    for (const svc of ['mariadb', 'redis', 'keystone', 'zun-api', 'zun-conductor', 'zun-scheduler', 'zun-wsproxy', 'zun-compute']) {
      assert.ok(existsSync(join(etc, svc, 'config.json')), svc);
      assert.equal(statSync(join(etc, svc)).mode & 0o777, 0o770);
    }
    const apiJson = parseConfigJson(readFileSync(join(etc, 'zun-api/config.json'), 'utf8'));
    assert.equal(apiJson.command, 'node /opt/zun-ts/bin/zun-api.js --config-file /etc/zun/zun.conf');
    const zunConf = readFileSync(join(etc, 'zun-api/zun.conf'), 'utf8');
    const dbPassword = /zun_database_password: (\S+)/.exec(first)?.[1];
    assert.ok(dbPassword);
    assert.match(zunConf, new RegExp(`connection = mysql\\+pymysql://zun:${dbPassword}@127\\.0\\.0\\.1:3306/zun`));
    assert.match(zunConf, /^host = localhost$/m);
    assert.match(zunConf, /^host_ip = 127\.0\.0\.1$/m);
  });
});

async function bundle(entry: string): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'in-image-bundle-')), 'bundle.js');
  await build({ entryPoints: [join(repo, 'tools/deploy/src', entry)], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning' });
  const requires = [...readFileSync(out, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
  assert.deepEqual(requires.filter((r) => !r?.startsWith('node:')), [], `${entry} needs only node built-ins`);
  return out;
}

void describe('in-image bundles', () => {
  void test('kolla_set_configs is one file that needs no npm package', async () => {
    const out = await bundle('set-configs/main.ts');
    const help = spawnSync(process.execPath, [out, '--help'], { cwd: tmpdir(), encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^usage: kolla_set_configs \[--check\]/);
    if (!existsSync('/var/lib/kolla/config_files/config.json')) {
      const missing = spawnSync(process.execPath, [out, '--check'], { cwd: tmpdir(), encoding: 'utf8' });
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /config\.json is missing/);
    }
  });

  void test('kolla_healthcheck is one file that needs no npm package', async () => {
    const out = await bundle('healthcheck/main.ts');
    const r = spawnSync(process.execPath, [out, 'listen', 'no-such-process-anywhere', '1'], { cwd: tmpdir(), encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, 'no process matches "no-such-process-anywhere"\n');
  });
});
