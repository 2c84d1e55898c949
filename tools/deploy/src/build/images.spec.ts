import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { IMAGES, imageName, selectImages } from './images';
import { inputsDigest, summarize } from './builder';
import { aptMirror, DEFAULT_MIRROR } from './rootfs';

const repo = join(__dirname, '..', '..', '..', '..');

void describe('image tree', () => {
  void test('parents come before children, and each Dockerfile names its parent by the declared ARG', () => {
    const seen = new Set<string>(['debian']);
    for (const image of IMAGES) {
      assert.ok(image.parent && seen.has(image.parent), `${image.name} before its parent ${image.parent}`);
      seen.add(image.name);
      const dockerfile = join(repo, 'deploy', 'images', image.name, 'Dockerfile');
      assert.ok(existsSync(dockerfile), dockerfile);
      const text = readFileSync(dockerfile, 'utf8');
      assert.match(text, new RegExp(`^ARG ${image.parentArg}=`, 'm'), image.name);
      assert.match(text, new RegExp(`^FROM \\$\\{${image.parentArg}\\}$`, 'm'), image.name);
    }
    assert.deepEqual(
      IMAGES.map((i) => i.name),
      ['base', 'mariadb', 'redis', 'keystone', 'haproxy', 'zun-base', 'zun-api', 'zun-conductor', 'zun-scheduler', 'zun-compute', 'zun-wsproxy'],
    );
  });

  void test('a selection brings its ancestors, in build order; a prefix selects a family; unknown names are refused', () => {
    assert.deepEqual(selectImages(['zun-api']).map((i) => i.name), ['base', 'zun-base', 'zun-api']);
    assert.deepEqual(selectImages(['redis', 'zun-']).map((i) => i.name), ['base', 'redis', 'zun-base', 'zun-api', 'zun-conductor', 'zun-scheduler', 'zun-compute', 'zun-wsproxy']);
    assert.equal(selectImages([]).length, IMAGES.length);
    assert.throws(() => selectImages(['nova-api']), /no image "nova-api" \(images: base, mariadb/);
  });

  void test('image names carry namespace, tag and an optional registry', () => {
    assert.equal(imageName('zun-ts', 'zun-api', '0.1.0'), 'zun-ts/zun-api:0.1.0');
    assert.equal(imageName('zun-ts', 'redis', 'latest', 'reg.example:5000'), 'reg.example:5000/zun-ts/redis:latest');
  });

  void test('build output: the steps that make a layer (not ARG or FROM), and those taken from the cache', () => {
    const lines = ['Step 1/4 : ARG X', 'Step 2/4 : FROM a', ' ---> 1234', 'Step 3/4 : RUN true', ' ---> Using cache', ' ---> abcd', 'Step 4/4 : COPY x /x', ' ---> 5678', 'Successfully built 5678'];
    assert.deepEqual(summarize(lines), { steps: 2, cached: 1 });
  });

  void test('the inputs digest follows file bytes, modes, names, the parent and the build arguments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zun-kolla-ctx-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM x\n');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'a'), 'a');
    const ctx = { dir, entries: ['Dockerfile', 'sub'] };
    const d0 = inputsDigest(ctx, 'sha256:p', { A: '1' });
    assert.equal(inputsDigest(ctx, 'sha256:p', { A: '1' }), d0, 'stable');
    utimesSync(join(dir, 'sub', 'a'), new Date(0), new Date(0));
    assert.equal(inputsDigest(ctx, 'sha256:p', { A: '1' }), d0, 'times do not count');
    assert.notEqual(inputsDigest(ctx, 'sha256:q', { A: '1' }), d0, 'parent');
    assert.notEqual(inputsDigest(ctx, 'sha256:p', { A: '2' }), d0, 'build argument');
    chmodSync(join(dir, 'sub', 'a'), 0o755);
    const d1 = inputsDigest(ctx, 'sha256:p', { A: '1' });
    assert.notEqual(d1, d0, 'mode');
    writeFileSync(join(dir, 'sub', 'a'), 'b');
    assert.notEqual(inputsDigest(ctx, 'sha256:p', { A: '1' }), d1, 'bytes');
  });
});

void describe('Debian mirror for debootstrap', () => {
  void test('the first archive of the apt sources, one-line or deb822, skipping -security/-updates suites', () => {
    assert.equal(aptMirror([{ name: '/etc/apt/sources.list', text: '# c\ndeb http://security.debian.org/ bookworm-security main\ndeb [arch=amd64] http://m.example/debian bookworm main\n' }]), 'http://m.example/debian');
    const deb822 = 'Types: deb\nURIs: http://sec.example/debian-security\nSuites: bookworm-security\n\nTypes: deb-src deb\nURIs: http://m.example/debian http://other\nSuites: bookworm bookworm-updates\nComponents: main\n';
    assert.equal(aptMirror([{ name: '/etc/apt/sources.list.d/debian.sources', text: deb822 }]), 'http://m.example/debian');
    assert.equal(aptMirror([{ name: '/etc/apt/sources.list.d/x.sources', text: 'Types: deb\nURIs: http://off\nSuites: bookworm\nEnabled: no\n' }]), DEFAULT_MIRROR);
    assert.equal(aptMirror([]), DEFAULT_MIRROR);
  });
});
