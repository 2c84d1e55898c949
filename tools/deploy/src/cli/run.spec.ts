import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Engines } from '../docker/engine';
import { ALL_IN_ONE, MULTINODE } from '../../tests/fixtures/deployments';
import { parseArgs, versionTag } from './args';
import { runCli } from './run';

const engines: Engines = {
  version: () => Promise.resolve({ version: '20.10.24', apiVersion: '1.41' }),
  runningContainers: () => Promise.resolve([]),
  portInUse: () => Promise.resolve(false),
};

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) }, engines);
  return { code, out, err };
}

function configDir(inventory = ALL_IN_ONE, globals = 'kolla_internal_vip_address: 127.0.0.1\nnetwork_interface: lo\n'): string {
  const dir = mkdtempSync(join(tmpdir(), 'zun-kolla-cli-'));
  writeFileSync(join(dir, 'inventory'), inventory);
  writeFileSync(join(dir, 'globals.yml'), globals);
  return dir;
}

void describe('zun-kolla command line', () => {
  void test('options before or after the verb; --limit lists; --opt=value', () => {
    assert.deepEqual(parseArgs(['-i', 'inv', 'genconfig', '--configdir=/c', '--limit', 'a,b', '-l', 'g', '--root', 'r']), {
      verb: 'genconfig',
      help: false,
      inventory: 'inv',
      configDir: '/c',
      passwords: undefined,
      limit: ['a', 'b', 'g'],
      root: 'r',
      tags: [],
      version: undefined,
      images: [],
      cacheDir: undefined,
      mirror: undefined,
      dockerHost: undefined,
      refreshRootfs: false,
      yesReally: false,
      timeout: undefined,
      serial: undefined,
    });
  });

  void test('--help lists exactly the verbs that exist; a verb not built is refused', async () => {
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    const verbs = [...help.out.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]).filter((v) => !v?.startsWith('-'));
    assert.deepEqual(verbs, ['genpwd', 'prechecks', 'genconfig', 'build', 'deploy', 'reconfigure', 'upgrade', 'check', 'stop', 'destroy']);
    const pull = await run(['pull']);
    assert.equal(pull.code, 2);
    assert.equal(pull.err, 'zun-kolla: there is no verb "pull" (verbs: genpwd, prechecks, genconfig, build, deploy, reconfigure, upgrade, check, stop, destroy)\n');
    assert.equal((await run([])).code, 2);
    const bad = await run(['genpwd', '--bogus']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^zun-kolla: unknown option --bogus/);
    assert.match((await run(['genpwd', '-i'])).err, /-i needs a value/);
  });

  void test('genpwd, then genconfig --root, then prechecks against a fake engine', async () => {
    const dir = configDir();
    const pw = await run(['genpwd', '--configdir', dir]);
    assert.equal(pw.code, 0, pw.err);
    assert.match(pw.out, /passwords\.yml: 7 new, 0 kept \(.*zun_auth_encryption_key\)/);
    assert.equal(statSync(join(dir, 'passwords.yml')).mode & 0o777, 0o600);
    const root = mkdtempSync(join(tmpdir(), 'zun-kolla-root-'));
    const gen = await run(['genconfig', '--configdir', dir, '--root', root]);
    assert.equal(gen.code, 0, gen.err);
    assert.match(gen.out, /^localhost\s+zun-api\s+config: .*\/localhost\/etc\/kolla\/zun-api\/ zun\.conf config\.json$/m);
    assert.match(readFileSync(join(root, 'localhost/etc/kolla/zun-compute/zun.conf'), 'utf8'), /docker_remote_api_host = unix:\/\/\/var\/run\/docker\.sock/);
    // The registry-password key: the same generated one for the API and the compute hosts, none for the conductor.
    const keyOf = (svc: string): string | undefined => /^auth_encryption_key = (\S+)$/m.exec(readFileSync(join(root, `localhost/etc/kolla/${svc}/zun.conf`), 'utf8'))?.[1];
    assert.match(keyOf('zun-api') ?? '', /^[A-Za-z0-9]{40}$/);
    assert.equal(keyOf('zun-compute'), keyOf('zun-api'));
    assert.equal(keyOf('zun-conductor'), undefined);
    const pre = await run(['prechecks', '--configdir', dir]);
    assert.equal(pre.code, 0, pre.err);
    assert.match(pre.out, /prechecks: passed \(1 host\(s\), 0 error\(s\), 0 warning\(s\)\)/);
  });

  void test('errors are one clear line with file and line, exit 1; a missing file says what to do', async () => {
    const dir = configDir('[zun-api:children]\ncontrl\n');
    await run(['genpwd', '--configdir', dir]);
    const r = await run(['genconfig', '--configdir', dir, '--root', dir]);
    assert.equal(r.code, 1);
    assert.equal(r.err, `zun-kolla genconfig: error: ${join(dir, 'inventory')}:2: [zun-api:children] names unknown group "contrl"\n`);
    const nopw = await run(['genconfig', '--configdir', configDir()]);
    assert.equal(nopw.code, 2);
    assert.match(nopw.err, /passwords file .*passwords\.yml does not exist \(run "zun-kolla genpwd" first\)/);
  });

  void test('genconfig without --root writes only for this machine', async () => {
    const dir = configDir(MULTINODE, 'kolla_internal_vip_address: 10.0.0.250\n');
    await run(['genpwd', '--configdir', dir]);
    const r = await run(['genconfig', '--configdir', dir]);
    assert.equal(r.code, 2);
    assert.match(r.err, /ctl1, ctl2, cmp01, cmp02: not this machine .* render them with --root DIR/);
    const limited = await run(['genconfig', '--configdir', dir, '--root', dir, '--limit', 'compute']);
    assert.equal(limited.code, 0, limited.err);
    assert.deepEqual(limited.out.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' ')), ['cmp01 zun-compute', 'cmp02 zun-compute']);
    assert.match((await run(['genconfig', '--configdir', dir, '--root', dir, '--limit', 'nowhere'])).err, /--limit nowhere: no such host or group/);
  });
  void test('build --version: the release string, tagged with + written _; a bad one is refused', () => {
    assert.equal(parseArgs(['build', '--version', '0.1.0+b']).version, '0.1.0+b');
    assert.equal(versionTag('0.1.0+b'), '0.1.0_b');
    assert.equal(versionTag('2.0.0'), '2.0.0');
    assert.throws(() => parseArgs(['build', '--version', 'a b']), /--version needs/);
    assert.throws(() => parseArgs(['build', '--version=-x']), /--version needs/);
  });
});
