import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generatePasswords } from './passwords';

void test('genpwd keeps a comment line that follows an empty key on its own line (it was folded into the value)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'genpwd-'));
  try {
    const file = join(dir, 'passwords.yml');
    writeFileSync(file, 'redis_master_password:\n# about the next key\nzun_auth_encryption_key:\n');
    let n = 0;
    generatePasswords(file, () => `pw${++n}`);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^redis_master_password: pw\d+$/m);
    assert.match(text, /^# about the next key\nzun_auth_encryption_key: pw\d+$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
