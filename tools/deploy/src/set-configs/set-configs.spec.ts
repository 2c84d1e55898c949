import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { runSetConfigs } from './cli';
import { ConfigJsonError, parseConfigJson, parsePerm } from './config-json';
import { applyConfig, checkConfig } from './set-configs';

// As root the files really change owner (Kolla's ids); otherwise the test's own ids stand in.
const asRoot = process.getuid?.() === 0;
const ZUN = asRoot ? { uid: 42463, gid: 42463 } : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
const KOLLA_GID = asRoot ? 42400 : ZUN.gid;

let root: string;
const lines: string[] = [];
const log = (l: string): void => void lines.push(l);

function put(path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}
function read(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}
function mode(path: string): number {
  return statSync(join(root, path)).mode & 0o7777;
}
function config(c: unknown): void {
  put('/var/lib/kolla/config_files/config.json', JSON.stringify(c));
}
const zunConf = { source: '/var/lib/kolla/config_files/zun.conf', dest: '/etc/zun/zun.conf', owner: 'zun', perm: '0600' };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'set-configs-'));
  lines.length = 0;
  put('/etc/passwd', `root:x:0:0::/root:/bin/sh\nzun:x:${ZUN.uid}:${ZUN.gid}::/var/lib/zun:/bin/false\n`);
  put('/etc/group', `root:x:0:\nzun:x:${ZUN.gid}:\nkolla:x:${KOLLA_GID}:zun\n`);
  put('/var/lib/kolla/config_files/zun.conf', '[DEFAULT]\nhost = h1\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

void describe('kolla_set_configs: applying config.json', () => {
  void test('copies a file with its owner and perm and writes /run_command (0644)', () => {
    config({ command: 'zun-api --config-file /etc/zun/zun.conf', config_files: [zunConf] });
    assert.equal(applyConfig('COPY_ALWAYS', { root, log }), 'applied');
    assert.equal(read('/etc/zun/zun.conf'), '[DEFAULT]\nhost = h1\n');
    assert.equal(mode('/etc/zun/zun.conf'), 0o600);
    const st = statSync(join(root, '/etc/zun/zun.conf'));
    assert.deepEqual([st.uid, st.gid], [ZUN.uid, ZUN.gid]);
    assert.equal(read('/run_command'), 'zun-api --config-file /etc/zun/zun.conf\n');
    assert.equal(mode('/run_command'), 0o644);
  });

  void test('owner user:group takes the group from /etc/group; perm "0o640" is accepted', () => {
    config({ command: 'x', config_files: [{ ...zunConf, owner: 'zun:kolla', perm: '0o640' }] });
    applyConfig('COPY_ALWAYS', { root, log });
    assert.equal(statSync(join(root, '/etc/zun/zun.conf')).gid, KOLLA_GID);
    assert.equal(mode('/etc/zun/zun.conf'), 0o640);
  });

  void test('a dest ending in / receives the file under its own name; a glob copies every match', () => {
    put('/var/lib/kolla/config_files/a.pem', 'A');
    put('/var/lib/kolla/config_files/b.pem', 'B');
    put('/var/lib/kolla/config_files/c.key', 'C');
    config({ command: 'x', config_files: [{ source: '/var/lib/kolla/config_files/*.pem', dest: '/etc/zun/certs/', owner: 'zun', perm: '0600' }] });
    applyConfig('COPY_ALWAYS', { root, log });
    assert.equal(read('/etc/zun/certs/a.pem'), 'A');
    assert.equal(read('/etc/zun/certs/b.pem'), 'B');
    assert.equal(existsSync(join(root, '/etc/zun/certs/c.key')), false);
  });

  void test('without merge a dest directory is replaced; with merge a source directory is merged into it', () => {
    put('/var/lib/kolla/config_files/policy.d/a.yaml', 'a');
    put('/etc/zun/policy.d/stale.yaml', 'old');
    put('/etc/zun/merged.d/keep.yaml', 'keep');
    config({
      command: 'x',
      config_files: [
        { source: '/var/lib/kolla/config_files/policy.d', dest: '/etc/zun/policy.d', owner: 'zun', perm: '0640' },
        { source: '/var/lib/kolla/config_files/policy.d', dest: '/etc/zun/merged.d', owner: 'zun', perm: '0640', merge: true },
      ],
    });
    applyConfig('COPY_ALWAYS', { root, log });
    assert.equal(existsSync(join(root, '/etc/zun/policy.d/stale.yaml')), false);
    assert.equal(read('/etc/zun/policy.d/a.yaml'), 'a');
    assert.equal(read('/etc/zun/merged.d/keep.yaml'), 'keep');
    assert.equal(read('/etc/zun/merged.d/a.yaml'), 'a');
    // a readable directory also gets x: 0640 -> 0750
    assert.equal(mode('/etc/zun/policy.d'), 0o750);
    assert.equal(mode('/etc/zun/policy.d/a.yaml'), 0o640);
  });

  void test('a missing optional source is skipped; a missing required one is an error naming it', () => {
    config({ command: 'x', config_files: [{ ...zunConf, source: '/var/lib/kolla/config_files/policy.yaml', dest: '/etc/zun/policy.yaml', optional: true }] });
    assert.equal(applyConfig('COPY_ALWAYS', { root, log }), 'applied');
    assert.equal(existsSync(join(root, '/etc/zun/policy.yaml')), false);
    assert.match(lines.join('\n'), /policy\.yaml is missing and optional/);
    config({ command: 'x', config_files: [{ ...zunConf, source: '/var/lib/kolla/config_files/policy.yaml', dest: '/etc/zun/policy.yaml' }] });
    assert.throws(() => applyConfig('COPY_ALWAYS', { root, log }), (e: Error) => e instanceof ConfigJsonError && /policy\.yaml is missing/.test(e.message));
  });

  void test('preserve_properties keeps the source mode and needs no owner or perm', () => {
    put('/var/lib/kolla/config_files/run.sh', '#!/bin/sh\n');
    chmodSync(join(root, '/var/lib/kolla/config_files/run.sh'), 0o751);
    config({ command: 'x', config_files: [{ source: '/var/lib/kolla/config_files/run.sh', dest: '/usr/local/bin/run.sh', preserve_properties: true }] });
    applyConfig('COPY_ALWAYS', { root, log });
    assert.equal(mode('/usr/local/bin/run.sh'), 0o751);
    assert.deepEqual(checkConfig({ root, log }), []);
  });

  void test('permissions: owner and perm, recursive with exclude; a missing path only warns', () => {
    put('/var/log/kolla/zun/api.log', 'l');
    put('/var/log/kolla/zun/keep/x.log', 'k');
    put('/var/lib/zun/top', 't');
    config({
      command: 'x',
      permissions: [
        { path: '/var/log/kolla/zun', owner: 'zun:kolla', perm: '0750', recurse: true, exclude: ['/keep$', '/keep/'] },
        { path: '/var/lib/zun', owner: 'zun', perm: '0700' },
        { path: '/var/lib/nothing-here', owner: 'zun' },
      ],
    });
    applyConfig('COPY_ALWAYS', { root, log });
    assert.equal(mode('/var/log/kolla/zun'), 0o750);
    assert.equal(mode('/var/log/kolla/zun/api.log'), 0o750);
    assert.equal(statSync(join(root, '/var/log/kolla/zun/api.log')).gid, KOLLA_GID);
    assert.notEqual(mode('/var/log/kolla/zun/keep/x.log'), 0o750);
    assert.equal(mode('/var/lib/zun'), 0o700);
    assert.notEqual(mode('/var/lib/zun/top'), 0o700); // not recursive
    assert.match(lines.join('\n'), /nothing-here does not exist/);
  });

  void test('a source that is a symbolic link is copied as the file it points to', () => {
    put('/var/lib/kolla/config_files/..data/zun.conf', '[DEFAULT]\nhost = linked\n');
    rmSync(join(root, '/var/lib/kolla/config_files/zun.conf'));
    symlinkSync('..data/zun.conf', join(root, '/var/lib/kolla/config_files/zun.conf'));
    config({ command: 'x', config_files: [zunConf] });
    applyConfig('COPY_ALWAYS', { root, log });
    assert.equal(lstatSync(join(root, '/etc/zun/zun.conf')).isSymbolicLink(), false);
    assert.equal(read('/etc/zun/zun.conf'), '[DEFAULT]\nhost = linked\n');
    assert.deepEqual(checkConfig({ root, log }), []);
  });

  void test('COPY_ALWAYS copies again on every start', () => {
    config({ command: 'x', config_files: [zunConf] });
    applyConfig('COPY_ALWAYS', { root, log });
    put('/var/lib/kolla/config_files/zun.conf', '[DEFAULT]\nhost = h2\n');
    assert.equal(applyConfig('COPY_ALWAYS', { root, log }), 'applied');
    assert.equal(read('/etc/zun/zun.conf'), '[DEFAULT]\nhost = h2\n');
    assert.equal(existsSync(join(root, '/configured')), false);
  });

  void test('COPY_ONCE copies on the first start only (the /configured marker)', () => {
    config({ command: 'x', config_files: [zunConf] });
    assert.equal(applyConfig('COPY_ONCE', { root, log }), 'applied');
    assert.equal(existsSync(join(root, '/configured')), true);
    put('/var/lib/kolla/config_files/zun.conf', '[DEFAULT]\nhost = h2\n');
    assert.equal(applyConfig('COPY_ONCE', { root, log }), 'skipped');
    assert.equal(read('/etc/zun/zun.conf'), '[DEFAULT]\nhost = h1\n');
  });
});

void describe('kolla_set_configs --check', () => {
  const env = { KOLLA_CONFIG_STRATEGY: 'COPY_ALWAYS' };

  void test('exits 0 when the files in place match, 1 once a source changes, 0 again after applying', () => {
    config({ command: 'x', config_files: [zunConf, { ...zunConf, source: '/var/lib/kolla/config_files/policy.yaml', dest: '/etc/zun/policy.yaml', optional: true }] });
    assert.equal(runSetConfigs([], env, { root, log }), 0);
    assert.equal(runSetConfigs(['--check'], {}, { root, log }), 0);
    put('/var/lib/kolla/config_files/zun.conf', '[DEFAULT]\nhost = h2\n');
    lines.length = 0;
    assert.equal(runSetConfigs(['--check'], {}, { root, log }), 1);
    assert.match(lines.join('\n'), /\/etc\/zun\/zun\.conf: content differs/);
    assert.equal(runSetConfigs([], env, { root, log }), 0);
    assert.equal(runSetConfigs(['--check'], {}, { root, log }), 0);
  });

  void test('a changed perm, owner or command counts as a change; a new required file too', () => {
    config({ command: 'x', config_files: [zunConf] });
    applyConfig('COPY_ALWAYS', { root, log });
    config({ command: 'x', config_files: [{ ...zunConf, perm: '0640' }] });
    assert.match(checkConfig({ root, log }).join(), /mode 600 instead of 640/);
    if (asRoot) {
      config({ command: 'x', config_files: [{ ...zunConf, owner: 'root' }] });
      assert.match(checkConfig({ root, log }).join(), /owner 42463:42463 instead of 0:0/);
    }
    config({ command: 'y', config_files: [zunConf] });
    assert.deepEqual(checkConfig({ root, log }), ['the command changed']);
    put('/var/lib/kolla/config_files/new.conf', 'n');
    config({ command: 'x', config_files: [zunConf, { ...zunConf, source: '/var/lib/kolla/config_files/new.conf', dest: '/etc/zun/new.conf' }] });
    assert.deepEqual(checkConfig({ root, log }), ['/etc/zun/new.conf is missing']);
  });

  void test('a merged directory may hold extra files; a replaced one may not', () => {
    put('/var/lib/kolla/config_files/d/a', 'a');
    config({
      command: 'x',
      config_files: [
        { source: '/var/lib/kolla/config_files/d', dest: '/etc/m', owner: 'zun', perm: '0600', merge: true },
        { source: '/var/lib/kolla/config_files/d', dest: '/etc/r', owner: 'zun', perm: '0600' },
      ],
    });
    applyConfig('COPY_ALWAYS', { root, log });
    put('/etc/m/extra', 'e');
    assert.deepEqual(checkConfig({ root, log }), []);
    put('/etc/r/extra', 'e');
    assert.deepEqual(checkConfig({ root, log }), ['/etc/r: the set of files differs']);
  });

  void test('before the first apply everything is a change', () => {
    config({ command: 'x', config_files: [zunConf] });
    assert.deepEqual(checkConfig({ root, log }), ['/run_command is missing', '/etc/zun/zun.conf is missing']);
  });
});

void describe('kolla_set_configs: bad input', () => {
  const bad = (c: unknown): string => {
    try {
      parseConfigJson(typeof c === 'string' ? c : JSON.stringify(c), 'config.json');
    } catch (e) {
      assert.ok(e instanceof ConfigJsonError);
      return e.message;
    }
    assert.fail('accepted a bad config.json');
  };

  void test('each mistake is named with the file and the key', () => {
    assert.match(bad('{"command": '), /^config\.json: not valid JSON/);
    assert.match(bad([]), /must hold a JSON object/);
    assert.match(bad({}), /config\.json: "command" is required/);
    assert.match(bad({ command: 'x', config_files: {} }), /"config_files" must be a list/);
    assert.match(bad({ command: 'x', config_files: [{ source: '/a', owner: 'zun', perm: '0600' }] }), /config_files\[0\]: "dest" is required/);
    assert.match(bad({ command: 'x', config_files: [{ source: '/a', dest: '/b', perm: '0600' }] }), /config_files\[0\]: "owner" is required/);
    assert.match(bad({ command: 'x', config_files: [{ source: '/a', dest: '/b', owner: 'zun' }] }), /"perm" is required unless preserve_properties/);
    assert.match(bad({ command: 'x', config_files: [{ source: '/a', dest: '/b', owner: 'zun', perm: '0999' }] }), /perm "0999" is not an octal mode/);
    assert.match(bad({ command: 'x', config_files: [{ source: '/a', dest: '/b', owner: 'zun', perm: 600 }] }), /perm must be a string/);
    assert.match(bad({ command: 'x', config_files: [{ source: 'a', dest: '/b', owner: 'zun', perm: '0600' }] }), /"a" must be an absolute path/);
    assert.match(bad({ command: 'x', config_files: [{ source: '/a', dest: '/b', owner: 'zun', perm: '0600', optional: 'yes' }] }), /"optional" must be true or false/);
    assert.match(bad({ command: 'x', config_files: [{ source: '/a', dest: '/b', owner: 'zun', perm: '0600', mode: '1' }] }), /unknown key\(s\) "mode"/);
    assert.match(bad({ command: 'x', permissions: [{ path: '/a' }] }), /permissions\[0\]: "owner" is required/);
    assert.match(bad({ command: 'x', permissions: [{ path: '/a', owner: 'zun', exclude: ['('] }] }), /permissions\[0\]: exclude "\("/);
    assert.match(bad({ command: 'x', permissions: [{ path: '/a', owner: 'a b' }] }), /owner "a b" must be "user" or "user:group"/);
    assert.equal(parsePerm('0o640', 'w'), 0o640);
    assert.equal(parsePerm('600', 'w'), 0o600);
  });

  void test('the command line exits 2 with a clear message for a bad file, strategy, owner or argument', () => {
    put('/var/lib/kolla/config_files/config.json', '{not json');
    assert.equal(runSetConfigs([], { KOLLA_CONFIG_STRATEGY: 'COPY_ALWAYS' }, { root, log }), 2);
    assert.match(lines.join('\n'), /error: \/var\/lib\/kolla\/config_files\/config\.json: not valid JSON/);
    config({ command: 'x' });
    lines.length = 0;
    assert.equal(runSetConfigs([], {}, { root, log }), 2);
    assert.match(lines.join('\n'), /KOLLA_CONFIG_STRATEGY is not set/);
    assert.equal(runSetConfigs([], { KOLLA_CONFIG_STRATEGY: 'COPY_SOMETIMES' }, { root, log }), 2);
    assert.match(lines.join('\n'), /"COPY_SOMETIMES" is neither COPY_ALWAYS nor COPY_ONCE/);
    config({ command: 'x', config_files: [{ ...zunConf, owner: 'nobody' }] });
    assert.equal(runSetConfigs([], { KOLLA_CONFIG_STRATEGY: 'COPY_ALWAYS' }, { root, log }), 2);
    assert.match(lines.join('\n'), /no user "nobody" in \/etc\/passwd/);
    assert.equal(runSetConfigs(['--config', '/tmp/x'], {}, { root, log }), 2);
    assert.match(lines.join('\n'), /unknown argument\(s\): --config \/tmp\/x/);
    rmSync(join(root, '/var/lib/kolla/config_files/config.json'));
    assert.equal(runSetConfigs(['--check'], {}, { root, log }), 2);
    assert.match(lines.join('\n'), /config\.json is missing \(mount the service's config directory/);
  });
});
