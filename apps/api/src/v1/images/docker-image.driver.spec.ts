import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adminContext, silentLogger } from '@zun-ts/common';
import { defaultConf } from '@zun-ts/config';
import { RegistryUnreachable, type RegistryClientOptions } from '@zun-ts/image-registry';
import { DockerApiImageDriver, type RegistryClientFactory } from './docker-image.driver';

const ctx = adminContext('req-img');

/** Registries by domain: their repositories and tags; a domain listed in `down` cannot be reached. */
function fakeRegistries(repos: Record<string, Record<string, string[]>>, down: string[] = []) {
  const opened: RegistryClientOptions[] = [];
  const factory: RegistryClientFactory = (opts) => {
    opened.push(opts);
    const fail = (): never => {
      throw new RegistryUnreachable(`Registry ${opts.domain} could not be reached`);
    };
    const own = repos[opts.domain] ?? {};
    return {
      domain: opts.domain,
      catalog: async () => (down.includes(opts.domain) ? fail() : Object.keys(own)),
      tags: async (name: string) => own[name] ?? [],
      hasManifest: async (name: string, ref: string) => (down.includes(opts.domain) ? fail() : (own[name] ?? []).includes(ref)),
    };
  };
  return { factory, opened };
}

function driver(factory: RegistryClientFactory, docker: Record<string, string> = { default_registry: 'reg:5000' }): DockerApiImageDriver {
  return new DockerApiImageDriver(defaultConf({ docker }), silentLogger(), factory);
}

describe('DockerApiImageDriver.presence', () => {
  test('a name without registry is looked up in the default registry, with its credentials', async () => {
    const r = fakeRegistries({ 'reg:5000': { busybox: ['latest', '1.36'] } });
    const d = driver(r.factory, { default_registry: 'reg:5000', default_registry_username: 'u', default_registry_password: 'p' });
    assert.equal(await d.presence(ctx, 'busybox', null), 'present');
    assert.equal(await d.presence(ctx, 'busybox:1.36', null), 'present');
    assert.equal(await d.presence(ctx, 'busybox:nope', null), 'absent');
    assert.equal(await d.presence(ctx, 'busybxo', null), 'absent');
    assert.deepEqual(r.opened[0], { domain: 'reg:5000', username: 'u', password: 'p' });
  });

  test('the container\'s registry wins over the default one, with its own credentials', async () => {
    const r = fakeRegistries({ 'priv:443': { app: ['latest'] } });
    const access = { domain: 'priv:443', username: 'alice', password: 's3cret' };
    assert.equal(await driver(r.factory).presence(ctx, 'app', access), 'present');
    assert.deepEqual(r.opened, [{ domain: 'priv:443', username: 'alice', password: 's3cret' }]);
  });

  test('Docker Hub is not asked, and an unreachable registry is unknown', async () => {
    const r = fakeRegistries({}, ['reg:5000']);
    assert.equal(await driver(r.factory, {}).presence(ctx, 'busybox', null), 'unknown');
    assert.equal(r.opened.length, 0);
    assert.equal(await driver(r.factory).presence(ctx, 'busybox', null), 'unknown');
  });
});

describe('DockerApiImageDriver.search', () => {
  test('every registry once, results shaped for the client; an unreachable registry is skipped', async () => {
    const r = fakeRegistries({ 'reg:5000': { app: ['1'], other: ['2'] }, 'priv:443': { 'app/web': ['latest'] } }, ['down:1']);
    const access = (domain: string) => ({ domain, username: null, password: null });
    const found = await driver(r.factory).search(ctx, 'app', false, [access('reg:5000'), access('down:1'), access('priv:443'), access('reg:5000')]);
    assert.deepEqual(found, [
      { id: null, name: 'reg:5000/app', tags: ['1'], status: null, size: null, metadata: { registry: 'reg:5000' } },
      { id: null, name: 'priv:443/app/web', tags: ['latest'], status: null, size: null, metadata: { registry: 'priv:443' } },
    ]);
    assert.equal(r.opened.length, 3);
  });
});
