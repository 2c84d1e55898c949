import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidValue } from '@zun-ts/common';
import { parseImageReference, resolveImage } from './image-reference';

describe('parseImageReference', () => {
  test('a bare name has no domain and no tag', () => {
    assert.deepEqual(parseImageReference('busybox'), { domain: null, path: 'busybox', name: 'busybox', tag: null, digest: null });
  });

  test('an organisation path is not a domain (Docker rule: a domain has a dot, a colon or is localhost)', () => {
    const r = parseImageReference('library/busybox:1.36');
    assert.equal(r.domain, null);
    assert.equal(r.path, 'library/busybox');
    assert.equal(r.tag, '1.36');
  });

  test('host:port, dotted hosts and localhost are domains', () => {
    assert.equal(parseImageReference('127.0.0.1:5050/busybox').domain, '127.0.0.1:5050');
    assert.equal(parseImageReference('registry.example.com/a/b:v1').domain, 'registry.example.com');
    assert.equal(parseImageReference('localhost/x').domain, 'localhost');
    const r = parseImageReference('127.0.0.1:5050/x/y:tag');
    assert.deepEqual([r.domain, r.path, r.tag], ['127.0.0.1:5050', 'x/y', 'tag']);
  });

  test('the port colon is not taken for a tag', () => {
    const r = parseImageReference('localhost:5000/busybox');
    assert.equal(r.tag, null);
    assert.equal(r.name, 'localhost:5000/busybox');
  });

  test('a digest is kept apart', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    const r = parseImageReference(`busybox@${d}`);
    assert.equal(r.digest, d);
    assert.equal(r.tag, null);
  });

  test('malformed references are InvalidValue', () => {
    for (const bad of ['', 'Busybox', 'busybox:', 'busybox:bad tag', 'a//b', 'busybox@sha256:xyz', '-x']) {
      assert.throws(() => parseImageReference(bad), InvalidValue, bad);
    }
  });
});

describe('resolveImage', () => {
  test('defaults the tag to latest and leaves Docker Hub names alone without a default registry', () => {
    assert.deepEqual(resolveImage('busybox'), { repo: 'busybox', tag: 'latest', digest: null, ref: 'busybox:latest' });
  });

  test('prefixes [docker] default_registry as is, like Zun (no library/)', () => {
    const r = resolveImage('busybox', { defaultRegistry: '127.0.0.1:5050' });
    assert.equal(r.repo, '127.0.0.1:5050/busybox');
    assert.equal(r.ref, '127.0.0.1:5050/busybox:latest');
    assert.equal(resolveImage('library/busybox:1.0', { defaultRegistry: '127.0.0.1:5050' }).ref, '127.0.0.1:5050/library/busybox:1.0');
  });

  test('the container registry wins over the default registry', () => {
    assert.equal(resolveImage('app:2', { registryDomain: 'reg.example.com', defaultRegistry: '127.0.0.1:5050' }).ref, 'reg.example.com/app:2');
  });

  test('a name that already has a registry is never prefixed', () => {
    assert.equal(resolveImage('10.0.0.1:5000/app', { defaultRegistry: '127.0.0.1:5050' }).ref, '10.0.0.1:5000/app:latest');
  });

  test('a digest reference resolves to repo@digest with no tag', () => {
    const d = `sha256:${'b'.repeat(64)}`;
    const r = resolveImage(`busybox@${d}`, { defaultRegistry: 'r:1' });
    assert.equal(r.tag, null);
    assert.equal(r.ref, `r:1/busybox@${d}`);
  });
});
