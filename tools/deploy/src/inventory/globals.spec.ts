import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseGlobals } from './globals';
import { PASSWORD_KEYS, generatePassword, generatePasswords, parsePasswords } from './passwords';
import { YamlFileError } from './yaml-file';

function globalsError(text: string): string {
  try {
    parseGlobals(text, 'globals.yml');
  } catch (e) {
    assert.ok(e instanceof YamlFileError, String(e));
    return e.message;
  }
  assert.fail('accepted bad globals');
}

void describe('globals.yml', () => {
  void test('defaults follow from the keys given, Kolla style', () => {
    const { globals: g, ignored } = parseGlobals(
      ['---', 'kolla_internal_vip_address: "10.0.0.250"', 'network_interface: "ens3"', 'openstack_tag: "2026.2"', 'enable_haproxy: "no"', 'kolla_base_distro: "debian"'].join('\n'),
      'globals.yml',
    );
    assert.equal(g.kolla_internal_fqdn, '10.0.0.250');
    assert.equal(g.kolla_external_fqdn, '10.0.0.250');
    assert.equal(g.api_interface, 'ens3');
    assert.equal(g.zun_tag, '2026.2');
    assert.equal(g.enable_haproxy, false);
    assert.equal(g.enable_zun, true);
    assert.equal(g.redis_requirepass, true);
    assert.equal(g.kolla_config_strategy, 'COPY_ALWAYS');
    assert.equal(g.docker_namespace, 'zun-ts');
    assert.equal(g.zun_api_port, 9517);
    assert.deepEqual(ignored, ['kolla_base_distro']);
  });

  void test('yes/no strings and YAML booleans both work; ports may be quoted; an empty value keeps the default', () => {
    const { globals: g } = parseGlobals('kolla_internal_vip_address: 10.0.0.1\nenable_redis: no\nenable_keystone: false\nzun_api_port: "19517"\ndocker_registry:\n', 'g');
    assert.equal(g.enable_redis, false);
    assert.equal(g.redis_requirepass, false);
    assert.equal(g.enable_keystone, false);
    assert.equal(g.zun_api_port, 19517);
    assert.equal(g.docker_registry, '');
  });

  void test('bad input names the file and the line', () => {
    assert.equal(globalsError('kolla_internal_vip_address: 1.2.3.4\nenable_zun: maybe\n'), 'globals.yml:2: enable_zun must be yes or no, got "maybe"');
    assert.equal(globalsError('kolla_internal_vip_address: 1.2.3.4\n\nzun_api_port: 70000\n'), 'globals.yml:3: zun_api_port must be a TCP port (1-65535), got 70000');
    assert.equal(globalsError('kolla_internal_vip_address: 1.2.3.4\nkolla_config_strategy: COPY_NEVER\n'), 'globals.yml:2: kolla_config_strategy must be COPY_ALWAYS or COPY_ONCE, got "COPY_NEVER"');
    assert.equal(globalsError('kolla_internal_vip_address: [1, 2]\n'), 'globals.yml:1: kolla_internal_vip_address must be a string, got [1,2]');
    assert.match(globalsError('kolla_internal_vip_address: 1.2.3.4\nenable_zun: [yes\n'), /^globals\.yml:\d: bad YAML: /);
    assert.match(globalsError('a: 1\n  b: 2\n'), /^globals\.yml:\d: bad YAML: /);
    assert.equal(globalsError('- a\n- b\n'), 'globals.yml:1: expected a mapping of "key: value" lines');
    assert.equal(globalsError('network_interface: eth0\n'), 'globals.yml: kolla_internal_vip_address is required');
    assert.match(globalsError('kolla_internal_vip_address: 1.2.3.4\nkolla_internal_vip_address: 1.2.3.5\n'), /^globals\.yml:2: bad YAML: .*unique/i);
  });
});

void describe('passwords.yml (genpwd)', () => {
  void test('generatePassword: letters and digits of the asked length, different every time', () => {
    const a = generatePassword();
    assert.match(a, /^[A-Za-z0-9]{40}$/);
    assert.notEqual(a, generatePassword());
    assert.equal(generatePassword(12).length, 12);
  });

  void test('creates the file with every key, mode 0600', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'genpwd-')), 'passwords.yml');
    const added = generatePasswords(file);
    assert.deepEqual(added, [...PASSWORD_KEYS]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const pw = parsePasswords(readFileSync(file, 'utf8'), file);
    for (const k of PASSWORD_KEYS) assert.match(pw[k], /^[A-Za-z0-9]{40}$/);
    assert.equal(new Set(Object.values(pw)).size, PASSWORD_KEYS.length);
  });

  void test('never overwrites a value; fills empty and missing keys; keeps comments and unknown keys; fixes the mode', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'genpwd-')), 'passwords.yml');
    writeFileSync(file, '# mine\ndatabase_password: keep-me\nzun_database_password:\nother_secret: x\n', { mode: 0o644 });
    const added = generatePasswords(file, () => 'NEW');
    assert.ok(!added.includes('database_password'));
    assert.ok(added.includes('zun_database_password'));
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# mine/);
    assert.match(text, /database_password: keep-me/);
    assert.match(text, /other_secret: x/);
    assert.equal(parsePasswords(text, file).zun_database_password, 'NEW');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    // a second run changes nothing
    assert.deepEqual(generatePasswords(file, () => 'NEWER'), []);
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  void test('bad or incomplete passwords.yml: a clear error', () => {
    assert.throws(() => parsePasswords('database_password: a\n', 'passwords.yml'), /^YamlFileError: passwords\.yml: no value for keystone_admin_password, .* \(run "zun-kolla genpwd"\)$/);
    assert.throws(() => parsePasswords('database_password: [\n', 'passwords.yml'), /passwords\.yml:\d: bad YAML/);
    const file = join(mkdtempSync(join(tmpdir(), 'genpwd-')), 'passwords.yml');
    writeFileSync(file, 'a: [\n');
    assert.throws(() => generatePasswords(file), /passwords\.yml:\d: bad YAML/);
  });
});
