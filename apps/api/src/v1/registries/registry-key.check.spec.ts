import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, SecretBox } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type Registry } from '@zun-ts/objects';
import { checkRegistryKey, secretBoxFromConf } from './registry-key.check';

const OLD = 'o'.repeat(32);
const NEW = 'n'.repeat(48);
const conf = (key: string | null, previous: string[] = []): Pick<ZunConf, 'DEFAULT'> =>
  ({ DEFAULT: { auth_encryption_key: key, auth_encryption_previous_keys: previous } }) as unknown as Pick<ZunConf, 'DEFAULT'>;
const row = (password: string | null): Registry => ({
  id: 1, uuid: 'r-1', name: null, domain: 'd', username: 'u', password, project_id: 'p', user_id: 'u', created_at: new Date(), updated_at: null,
});
const store = (rows: Registry[]) => ({ all: () => Promise.resolve(rows) });

describe('the start-up key check', () => {
  test('a missing or short key is a ConfigError naming the option', async () => {
    for (const key of [null, '', 'short-key']) {
      assert.throws(() => secretBoxFromConf(conf(key)), (e: unknown) => e instanceof ConfigError && /^\[DEFAULT\] auth_encryption_key/.test(e.message));
      await assert.rejects(checkRegistryKey(conf(key), store([])), ConfigError);
    }
    assert.ok(secretBoxFromConf(conf(OLD)) instanceof SecretBox);
  });

  test('a key that does not open a stored password stops start-up; a previous key listed lets it through', async () => {
    const sealed = new SecretBox(OLD).seal('pw');
    await checkRegistryKey(conf(OLD), store([row(sealed), row(null)]));
    await assert.rejects(checkRegistryKey(conf(NEW), store([row(sealed)])), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /does not open the stored password of registry r-1/);
      return true;
    });
    await checkRegistryKey(conf(NEW, [OLD]), store([row(sealed)]));
  });
});
