// The registry client against the stack's registry (ZUN_TEST_REGISTRY, seeded with busybox).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RegistryClient, searchRegistry } from '../src';

function registry(): string {
  const v = process.env['ZUN_TEST_REGISTRY'];
  if (!v) throw new Error('ZUN_TEST_REGISTRY is not set: this integration test needs the stack registry (e.g. 127.0.0.1:5050)');
  return v;
}

describe('RegistryClient on the stack registry', () => {
  test('the catalog has busybox, with its latest tag and manifest; a missing tag or repository has none', async () => {
    const client = new RegistryClient({ domain: registry() });
    assert.ok((await client.catalog()).includes('busybox'));
    assert.ok((await client.tags('busybox')).includes('latest'));
    assert.equal(await client.hasManifest('busybox', 'latest'), true);
    assert.equal(await client.hasManifest('busybox', 'no-such-tag-4e1f'), false);
    assert.equal(await client.hasManifest('no-such-repo-4e1f', 'latest'), false);
    assert.deepEqual(await client.tags('no-such-repo-4e1f'), []);
  });

  test('manifestHead gives the digest the tag names now, the one a pull records in RepoDigests', async () => {
    const client = new RegistryClient({ domain: registry() });
    const head = await client.manifestHead('busybox', 'latest');
    assert.match(head?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    // The same manifest asked for by its digest.
    assert.deepEqual(await client.manifestHead('busybox', head?.digest ?? ''), head);
    assert.equal(await client.manifestHead('busybox', 'no-such-tag-4e1f'), null);
  });

  test('search by prefix and by whole name', async () => {
    const client = new RegistryClient({ domain: registry() });
    const byPrefix = await searchRegistry(client, 'busy', false);
    assert.ok(byPrefix.some((m) => m.name === `${registry()}/busybox` && m.tags.includes('latest')));
    assert.deepEqual((await searchRegistry(client, 'busybox', true)).map((m) => m.name), [`${registry()}/busybox`]);
    assert.deepEqual(await searchRegistry(client, 'busy', true), []);
  });
});
