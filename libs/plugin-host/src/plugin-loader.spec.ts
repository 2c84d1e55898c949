import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { silentLogger } from '@zun-ts/common';
import { loadPlugins } from './plugin-loader';
import { pluginImageDriverNames, PluginRegistry, selectDriver } from './plugin-registry';

const dir = mkdtempSync(join(tmpdir(), 'zun-plugins-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a CommonJS plug-in file under the temporary directory and returns its path. */
function plugin(file: string, body: string): string {
  const path = join(dir, file);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, body);
  return path;
}

const load = (entries: string[]): PluginRegistry => loadPlugins(entries, { host: 'h1', logger: silentLogger(), cwd: dir });
const refused = (entries: string[], pattern: RegExp): void => {
  assert.throws(() => load(entries), (e: unknown) => {
    assert.ok(e instanceof Error && e.name === 'ConfigError', String(e));
    assert.match(e.message, pattern);
    return true;
  });
};

const ok = (name: string, extra = ''): string => `module.exports.zunPlugin = { name: '${name}', apiVersion: '1.0.0', ${extra} };\n`;
const filter = (name: string): string => `{ name: '${name}', runOncePerRequest: true, hostPasses: () => true }`;

describe('loadPlugins', () => {
  test('the example plug-in of the repository, by path: its weigher and middleware by name', () => {
    const example = resolve(__dirname, '../../../examples/zun-plugin-example/src/index.ts');
    const reg = loadPlugins([example], { host: 'h1', logger: silentLogger() });
    assert.deepEqual(reg.names(), ['zun-plugin-example']);
    assert.equal(reg.weighers.get('ContainerCountWeigher')?.plugin, 'zun-plugin-example');
    assert.equal(reg.middlewareExport('zun-plugin-example', 'response_header'), reg.middleware.get('response_header')?.value);
  });

  test('a directory (package.json main), a relative file, an installed package name, a default export', () => {
    plugin('dirplugin/package.json', JSON.stringify({ name: 'dirplugin', main: 'lib/main.js' }));
    plugin('dirplugin/lib/main.js', ok('dirplugin', `filters: { DirFilter: ${filter('DirFilter')} }`));
    plugin('rel.js', ok('rel', `weighers: { RelWeigher: () => ({ name: 'RelWeigher', weigh: () => 1 }) }`));
    plugin('node_modules/npm-plugin/package.json', JSON.stringify({ name: 'npm-plugin', main: 'index.js' }));
    plugin('node_modules/npm-plugin/index.js', `exports.default = { name: 'npm-plugin', apiVersion: '1.2.0', middleware: { mw: () => (q, s, n) => n() } };\n`);
    const reg = load([join(dir, 'dirplugin'), './rel.js', 'npm-plugin']);
    assert.deepEqual(reg.names(), ['dirplugin', 'rel', 'npm-plugin']);
    assert.equal(reg.filters.get('DirFilter')?.value.hostPasses({} as never, {} as never), true);
    assert.equal(reg.weighers.get('RelWeigher')?.value.name, 'RelWeigher', 'a factory is called with the context');
    assert.equal(reg.middleware.get('mw')?.plugin, 'npm-plugin');
  });

  test('factories receive the host and a logger', () => {
    plugin('ctx.js', ok('ctx', `filters: { CtxFilter: (c) => ({ name: 'CtxFilter', runOncePerRequest: false, hostPasses: (h) => h.hostname === c.host }) }`));
    const f = load(['./ctx.js']).filters.get('CtxFilter')?.value;
    assert.equal(f?.hostPasses({ hostname: 'h1' } as never, {} as never), true);
    assert.equal(f?.hostPasses({ hostname: 'h2' } as never, {} as never), false);
  });

  test('a missing plug-in is named', () => {
    refused(['./nope.js'], /\[DEFAULT\] plugin_paths: plug-in \.\/nope\.js not found/);
    refused(['no-such-package-zun'], /plug-in no-such-package-zun not found/);
  });

  test('a plug-in that throws while loading is named', () => {
    plugin('throws.js', `throw new Error('boom at load');\n`);
    refused(['./throws.js'], /plug-in \.\/throws\.js failed to load: boom at load/);
  });

  test('a plug-in of the wrong shape is refused with its name and every problem', () => {
    plugin('noexport.js', `module.exports.other = 1;\n`);
    refused(['./noexport.js'], /plug-in \.\/noexport\.js: exports no plug-in object/);
    plugin('shape.js', ok('shape', [
      `filters: { NoMethod: { name: 'NoMethod', runOncePerRequest: true }, Renamed: ${filter('Other')} }`,
      `weighers: { W: { name: 'W' } }`,
      `middleware: { m: 'not a function' }`,
      `drivers: { gpu: {}, container: { d: 42 } }`,
      `filtres: {}`,
    ].join(', ')));
    refused(['./shape.js'], /plug-in shape \(\.\/shape\.js\) refused: /);
    for (const part of [
      /unknown key filtres/,
      /filter NoMethod lacks the method hostPasses/,
      /filter Renamed has name "Other"; it must be exported under its own name/,
      /weigher W lacks the method weigh/,
      /middleware m must be a factory function/,
      /unknown driver kind gpu \(known: container, volume, network, image\)/,
      /container driver d must be a factory function/,
    ]) refused(['./shape.js'], part);
  });

  test('a plug-in built against another major version, or without a name, is refused', () => {
    plugin('v2.js', `module.exports.zunPlugin = { name: 'v2', apiVersion: '2.0.0' };\n`);
    refused(['./v2.js'], /plug-in v2 .*built against @zun-ts\/plugin-api 2\.0\.0, this zun-ts has 1\.1\.0/);
    plugin('noname.js', `module.exports.zunPlugin = { apiVersion: '1.0.0' };\n`);
    refused(['./noname.js'], /plug-in \.\/noname\.js refused: name must be a string/);
  });

  test('a factory that throws names the plug-in and the element', () => {
    plugin('factory.js', ok('factory', `filters: { F: () => { throw new Error('no licence'); } }`));
    refused(['./factory.js'], /plug-in factory .*filter F: its factory threw: no licence/);
  });

  test('two plug-ins of one name, or one element name in two plug-ins, are refused', () => {
    plugin('a.js', ok('same', `filters: { Dup: ${filter('Dup')} }`));
    plugin('b.js', ok('same'));
    plugin('c.js', ok('other', `filters: { Dup: ${filter('Dup')} }`));
    refused(['./a.js', './b.js'], /two plug-ins are named same/);
    refused(['./a.js', './c.js'], /filter Dup is provided by both plug-in same and plug-in other/);
  });
});

describe('selectDriver', () => {
  plugin('drivers.js', ok('drv', `drivers: { container: { fake: (c) => ({ kind: 'fake', host: c.host }), bad: () => { throw new Error('no socket'); } } }`));

  test('a built-in or a plug-in driver by name; unknown names list both', () => {
    const reg = load(['./drivers.js']);
    assert.equal(selectDriver(reg, 'container', 'docker', { docker: () => 'built-in' }), 'built-in');
    assert.deepEqual(selectDriver(reg, 'container', 'fake', { docker: () => ({}) }), { kind: 'fake', host: 'h1' });
    assert.throws(() => selectDriver(reg, 'container', 'podman', { docker: () => ({}) }), /\[compute\] container_driver: unknown driver podman; available: docker, fake, bad/);
    assert.throws(() => selectDriver(reg, 'volume', 'ceph', { local: () => null }), /\[volume\] volume_driver: unknown driver ceph; available: local/);
  });

  test('a driver factory that throws names the plug-in', () => {
    assert.throws(() => selectDriver(load(['./drivers.js']), 'container', 'bad', {}), /container_driver = bad: plug-in drv failed to make it: no socket/);
  });

  test('a plug-in driver may not take a built-in name', () => {
    assert.throws(() => selectDriver(load(['./drivers.js']), 'container', 'fake', { fake: () => 1 }), /has the name of a built-in one/);
  });
});

describe('image drivers', () => {
  plugin('images.js', ok('img', `drivers: { image: { local: (c) => ({ name: 'local', host: c.host, engine: c.containerDriver }) } }`));
  plugin('images-clash.js', ok('clash', `drivers: { image: { glance: () => ({ name: 'glance' }) } }`));

  test('made with the context and what the host adds (its container driver)', () => {
    const engine = { kind: 'engine' };
    assert.deepEqual(load(['./images.js']).createDriver('image', 'local', { containerDriver: engine }), { name: 'local', host: 'h1', engine });
    assert.equal(load(['./images.js']).driverPlugin('image', 'local'), 'img');
  });

  test('image_driver_list and default_image_driver: built-ins and plug-ins by name; unknown names list what is available', () => {
    const reg = load(['./images.js']);
    const builtIns = ['glance', 'docker'];
    assert.deepEqual(pluginImageDriverNames(reg, ['docker', 'local'], 'local', builtIns), ['local']);
    assert.deepEqual(pluginImageDriverNames(reg, ['glance', 'docker'], 'docker', builtIns), []);
    assert.throws(() => pluginImageDriverNames(reg, ['docker', 'quay'], 'docker', builtIns), /\[DEFAULT\] image_driver_list: unknown image driver\(s\) quay; available: glance, docker, local/);
    assert.throws(() => pluginImageDriverNames(PluginRegistry.empty(), ['docker', 'local'], 'docker', builtIns), /unknown image driver\(s\) local; available: glance, docker$/);
    assert.throws(() => pluginImageDriverNames(reg, ['docker'], 'quay', builtIns), /\[DEFAULT\] default_image_driver: unknown image driver quay; available: glance, docker, local/);
    assert.throws(() => pluginImageDriverNames(load(['./images-clash.js']), ['docker'], 'docker', builtIns), /image driver glance has the name of a built-in one/);
  });

  test('drivers.image must hold factories', () => {
    plugin('images-bad.js', ok('imgbad', `drivers: { image: { local: { name: 'local' } } }`));
    refused(['./images-bad.js'], /imgbad.*image driver local must be a factory function/);
  });
});

describe('PluginRegistry.merge', () => {
  test('plug-in elements beside built-ins; a built-in name is refused', () => {
    const reg = load(['./rel.js']);
    const merged = PluginRegistry.merge('weigher', new Map([['RamWeigher', { name: 'RamWeigher', weigh: () => 0 }]]), reg.weighers);
    assert.deepEqual([...merged.keys()], ['RamWeigher', 'RelWeigher']);
    assert.throws(() => PluginRegistry.merge('weigher', new Map([['RelWeigher', { name: 'RelWeigher', weigh: () => 0 }]]), reg.weighers), /plug-in rel: weigher RelWeigher has the name of a built-in one/);
  });
});
