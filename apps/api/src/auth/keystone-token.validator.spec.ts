import 'reflect-metadata';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@zun-ts/common';
import { testConf } from '../../tests/fixtures/test-api';
import { type KeystoneTokenApi } from './keystone.client';
import { identityFromTokenDocument, KeystoneTokenValidator, TOKEN_CACHE_ENTRIES } from './keystone-token.validator';
import { TtlLruCache } from './ttl-lru.cache';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function doc(expiresAt: number, over: Record<string, unknown> = {}): unknown {
  return {
    token: {
      methods: ['password'],
      user: { id: 'u1', name: 'demo', domain: { id: 'default', name: 'Default' } },
      project: { id: 'p1', name: 'demo', domain: { id: 'default', name: 'Default' } },
      roles: [{ id: 'r1', name: 'member' }, { id: 'r2', name: 'reader' }],
      expires_at: new Date(expiresAt).toISOString().replace('Z', '000Z'),
      ...over,
    },
  };
}

/** Keystone as a table of token → document; counts its calls. */
class FakeKeystone implements KeystoneTokenApi {
  calls = 0;
  docs = new Map<string, unknown>();
  gate: Promise<void> | null = null;
  async validateToken(token: string): Promise<unknown> {
    this.calls++;
    if (this.gate) await this.gate;
    return this.docs.get(token) ?? null;
  }
}

function setup(cacheSeconds: number): { ks: FakeKeystone; v: KeystoneTokenValidator; clock: { now: number } } {
  const clock = { now: T0 };
  const ks = new FakeKeystone();
  const v = new KeystoneTokenValidator(ks, testConf([`--keystone_authtoken.token_cache_time=${cacheSeconds}`]), () => clock.now, silentLogger());
  return { ks, v, clock };
}

describe('identityFromTokenDocument', () => {
  test('project-scoped token → identity', () => {
    const id = identityFromTokenDocument(doc(T0 + 1000));
    assert.equal(id?.userId, 'u1');
    assert.equal(id?.projectId, 'p1');
    assert.equal(id?.projectDomainName, 'Default');
    assert.deepEqual(id?.roles, ['member', 'reader']);
    assert.equal(id?.expiresAt, T0 + 1000);
  });

  test('system and domain scopes are kept; unscoped and malformed documents are refused', () => {
    assert.equal(identityFromTokenDocument(doc(T0, { project: undefined, system: { all: true } }))?.systemScope, 'all');
    assert.equal(identityFromTokenDocument(doc(T0, { project: undefined, domain: { id: 'd1', name: 'D' } }))?.domainId, 'd1');
    assert.equal(identityFromTokenDocument(doc(T0, { project: undefined })), null);
    assert.equal(identityFromTokenDocument({ token: { user: {} } }), null);
    assert.equal(identityFromTokenDocument('nonsense'), null);
  });
});

describe('KeystoneTokenValidator', () => {
  test('a valid token is cached for token_cache_time', async () => {
    const { ks, v, clock } = setup(300);
    ks.docs.set('t', doc(T0 + 3_600_000));
    assert.equal((await v.validate('t'))?.userId, 'u1');
    clock.now += 299_000;
    assert.ok(await v.validate('t'));
    assert.equal(ks.calls, 1);
    clock.now += 2_000;
    ks.docs.delete('t'); // revoked meanwhile
    assert.equal(await v.validate('t'), null);
    assert.equal(ks.calls, 2);
  });

  test('never cached past the token\'s expiry', async () => {
    const { ks, v, clock } = setup(300);
    ks.docs.set('t', doc(T0 + 60_000));
    assert.ok(await v.validate('t'));
    clock.now = T0 + 59_999;
    assert.ok(await v.validate('t'));
    assert.equal(ks.calls, 1);
    clock.now = T0 + 60_000;
    assert.equal(await v.validate('t'), null, 'expired, even though Keystone would still say yes');
  });

  test('an already expired document is refused', async () => {
    const { ks, v } = setup(300);
    ks.docs.set('t', doc(T0 - 1));
    assert.equal(await v.validate('t'), null);
  });

  test('invalid answers are remembered too (no Keystone call per bad request)', async () => {
    const { ks, v, clock } = setup(10);
    assert.equal(await v.validate('bad'), null);
    assert.equal(await v.validate('bad'), null);
    assert.equal(ks.calls, 1);
    clock.now += 10_000;
    assert.equal(await v.validate('bad'), null);
    assert.equal(ks.calls, 2);
  });

  test('token_cache_time = 0 asks every time', async () => {
    const { ks, v } = setup(0);
    ks.docs.set('t', doc(T0 + 3_600_000));
    await v.validate('t');
    await v.validate('t');
    assert.equal(ks.calls, 2);
  });

  test('concurrent validations of one token share one Keystone call', async () => {
    const { ks, v } = setup(300);
    ks.docs.set('t', doc(T0 + 3_600_000));
    let open!: () => void;
    ks.gate = new Promise((r) => (open = r));
    const all = Promise.all([v.validate('t'), v.validate('t'), v.validate('t')]);
    open();
    const ids = await all;
    assert.equal(ks.calls, 1);
    assert.ok(ids.every((i) => i?.userId === 'u1'));
  });

  test('tokens with characters no header can carry are refused without asking', async () => {
    const { ks, v } = setup(300);
    assert.equal(await v.validate('a b'), null);
    assert.equal(await v.validate('x'.repeat(9000)), null);
    assert.equal(ks.calls, 0);
  });

  test('the cache is bounded', () => {
    assert.equal(TOKEN_CACHE_ENTRIES, 10_000);
    const now = T0;
    const c = new TtlLruCache<number>(3, () => now);
    for (let i = 0; i < 5; i++) c.set(`k${i}`, i, now + 1000);
    assert.equal(c.size, 3);
    assert.equal(c.get('k0'), undefined);
    assert.equal(c.get('k4'), 4);
    c.get('k2'); // now most recently used
    c.set('k5', 5, now + 1000);
    assert.equal(c.get('k3'), undefined, 'the least recently used went');
    assert.equal(c.get('k2'), 2);
  });
});
