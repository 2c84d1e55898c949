import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from './errors';
import { InvalidEncryptionKey, SecretBox, secretBoxFromOptions, SecretUnreadable } from './secret-box';

const KEY = 'k'.repeat(32);
const OTHER = 'o'.repeat(40);

void test('a sealed secret opens to itself and does not contain it', () => {
  const box = new SecretBox(KEY);
  const sealed = box.seal('s3cret-pass');
  assert.ok(!sealed.includes('s3cret-pass'));
  assert.match(sealed, /^zun1:[0-9a-f]{8}:/);
  assert.equal(box.open(sealed), 's3cret-pass');
  assert.notEqual(box.seal('s3cret-pass'), sealed, 'a fresh IV each time');
});

void test('a missing or short key is refused, never a plaintext fallback', () => {
  assert.throws(() => new SecretBox(null), InvalidEncryptionKey);
  assert.throws(() => new SecretBox(''), InvalidEncryptionKey);
  assert.throws(() => new SecretBox('short'), InvalidEncryptionKey);
});

void test('another key cannot open it; an altered text is refused', () => {
  const sealed = new SecretBox(KEY).seal('pw');
  assert.throws(() => new SecretBox(OTHER).open(sealed), SecretUnreadable);
  const parts = sealed.split(':');
  parts[4] = Buffer.from('xx').toString('base64url');
  assert.throws(() => new SecretBox(KEY).open(parts.join(':')), SecretUnreadable);
  assert.throws(() => new SecretBox(KEY).open('pw'), SecretUnreadable);
});

void test('rotation: the previous key still opens, seal uses the new one, isStale tells them apart', () => {
  const old = new SecretBox(KEY).seal('pw');
  const rotated = new SecretBox(OTHER, [KEY]);
  assert.equal(rotated.open(old), 'pw');
  assert.ok(rotated.isStale(old));
  const fresh = rotated.seal('pw');
  assert.ok(!rotated.isStale(fresh));
  assert.throws(() => new SecretBox(KEY).open(fresh), SecretUnreadable);
});

void test('secretBoxFromOptions: a missing or short key is a ConfigError naming [DEFAULT] auth_encryption_key', () => {
  for (const key of [null, '', 'too-short']) {
    assert.throws(() => secretBoxFromOptions({ auth_encryption_key: key, auth_encryption_previous_keys: [] }), (e: unknown) => e instanceof ConfigError && e.message.startsWith('[DEFAULT] auth_encryption_key'));
  }
  const box = secretBoxFromOptions({ auth_encryption_key: 'x'.repeat(32), auth_encryption_previous_keys: ['y'.repeat(32)] });
  assert.equal(box.open(new SecretBox('y'.repeat(32)).seal('p')), 'p');
});
