import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tmpDir } from './tmp-dir';
import { mergeZunConf, stackConfSection, TEST_AUTH_ENCRYPTION_KEY, writeZunConf } from './zun-conf';

void describe('writeZunConf', () => {
  test('renders sections with DEFAULT first, values as oslo.config reads them', () => {
    const text = writeZunConf({
      redis: { url: 'redis://127.0.0.1:6390/0', key_prefix: 'zt-x' },
      DEFAULT: { host: 'zsim1', debug: true, report_interval: 2 },
      docker: { default_registry: '' },
    });
    assert.equal(
      text,
      `[DEFAULT]\nhost = zsim1\ndebug = true\nreport_interval = 2\nauth_encryption_key = ${TEST_AUTH_ENCRYPTION_KEY}\n\n[redis]\nurl = redis://127.0.0.1:6390/0\nkey_prefix = zt-x\n\n[docker]\ndefault_registry =\n`,
    );
  });

  test('every conf gets the test auth_encryption_key unless it names its own (an empty one stays empty)', () => {
    assert.match(writeZunConf({ redis: { url: 'u' } }), new RegExp(`^\\[DEFAULT\\]\\nauth_encryption_key = ${TEST_AUTH_ENCRYPTION_KEY}\\n`));
    assert.match(writeZunConf({ DEFAULT: { auth_encryption_key: 'x'.repeat(40) } }), /auth_encryption_key = x{40}\n/);
    assert.match(writeZunConf({ DEFAULT: { auth_encryption_key: '' } }), /auth_encryption_key =\n/);
  });

  test('writes the file, readable by its owner only', async () => {
    const dir = tmpDir();
    const file = dir.join('zun.conf');
    const text = writeZunConf({ DEFAULT: { host: 'h' } }, file);
    assert.equal(readFileSync(file, 'utf8'), text);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await dir.cleanup();
  });

  test('refuses what would not read back the same', () => {
    assert.throws(() => writeZunConf({ DEFAULT: { host: 'a\nb' } }), /line break/);
    assert.throws(() => writeZunConf({ 'bad section': {} }), /bad section name/);
    assert.throws(() => writeZunConf({ DEFAULT: { 'x=y': 1 } }), /bad option name/);
    assert.throws(() => writeZunConf({ DEFAULT: { n: Number.NaN } }), /finite/);
  });
});

void describe('mergeZunConf', () => {
  test('merges option by option, later parts winning', () => {
    const merged = mergeZunConf(
      { DEFAULT: { host: 'zsim1' }, docker: { docker_remote_api_host: 'unix:///a.sock' } },
      { DEFAULT: { report_interval: 2, host: 'zsim2' }, redis: { url: 'redis://x' } },
    );
    assert.deepEqual(merged, {
      DEFAULT: { host: 'zsim2', report_interval: 2 },
      docker: { docker_remote_api_host: 'unix:///a.sock' },
      redis: { url: 'redis://x' },
    });
  });
});

void describe('stackConfSection', () => {
  void test('reads one section of a zun.conf as written, and nothing of the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-conf-'));
    writeFileSync(join(dir, 'zun.conf'), '[DEFAULT]\nhost = h\n\n[keystone_authtoken]\nusername = zun\npassword = p w \n[redis]\nurl = r\n');
    assert.deepEqual(stackConfSection(dir, 'keystone_authtoken'), { username: 'zun', password: 'p w' });
    assert.deepEqual(stackConfSection(dir, 'glance'), {});
  });
});
