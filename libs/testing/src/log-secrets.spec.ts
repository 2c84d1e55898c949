import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatFindings, scanFiles, scanText } from './log-secrets';

const secrets = [{ name: 'the password', value: 'hunter2-long' }];

describe('scanText', () => {
  test('finds a known secret and names it, not its value', () => {
    const f = scanText('{"msg":"ok"}\n{"msg":"login","detail":"hunter2-long"}\n', 'a.log', secrets);
    assert.deepEqual(f, [{ file: 'a.log', line: 2, what: 'the password' }]);
    assert.ok(!formatFindings(f, 1).includes('hunter2-long'));
  });

  test('finds a Keystone token by its shape', () => {
    const token = `gAAAAA${'x'.repeat(120)}`;
    assert.deepEqual(scanText(`{"headers":{"x":"${token}"}}`, 'b.log', []).map((x) => x.what), ['a Keystone token']);
  });

  test('a password field is a finding unless it is masked', () => {
    assert.equal(scanText('{"password":"abc"}', 'c.log', []).length, 1);
    assert.equal(scanText('{"Password":"***","token":""}', 'c.log', []).length, 0);
    assert.deepEqual(scanText('{"auth_token":"t0k"}', 'c.log', []).map((x) => x.what), ['a "auth_token" field']);
  });

  test('a short known value is not looked for (it would match by chance)', () => {
    assert.equal(scanText('abc abc', 'd.log', [{ name: 'short', value: 'abc' }]).length, 0);
  });
});

describe('scanFiles', () => {
  test('a directory stands for the .log files under it, nested ones too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'log-secrets-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'x.log'), 'hunter2-long\n');
    writeFileSync(join(dir, 'y.txt'), 'hunter2-long\n');
    writeFileSync(join(dir, 'z.log'), 'clean\n');
    const r = scanFiles([dir, join(dir, 'missing.log')], secrets);
    assert.equal(r.files, 2);
    assert.deepEqual(r.findings, [{ file: join(dir, 'sub', 'x.log'), line: 1, what: 'the password' }]);
  });
});
